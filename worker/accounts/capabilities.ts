/** The accounts domain's capability block (registered in worker/ocs/app.ts). */
import type { CapabilityBlock } from '../ocs/capabilities';
import { currentDelay } from './throttle';

/** `bruteforce`: how long this client's next login would be held (ms), as Nextcloud's throttler says. */
export const bruteforceCapabilities: CapabilityBlock = async ({ env, ip }) => ({
  delay: await currentDelay(env, ip, Date.now()),
  'allow-listed': false,
});
