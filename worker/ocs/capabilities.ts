/**
 * `GET /ocs/v{1,2}.php/cloud/capabilities`: the server version and one block per feature, built
 * by a registry so that each domain contributes its own block (registered in app.ts) instead of
 * editing one function. Served to anonymous clients too: the desktop client probes it before
 * login, and a 200 there is what makes it offer Login Flow v2.
 */
import { Hono } from 'hono';
import { clientIp, optionalUser } from '../accounts/auth';
import type { AppEnv, AuthUser } from '../http/env';
import { NEXTCLOUD_VERSION } from '../http/status';
import { ocsOk, type OcsData } from './envelope';

/** What a block may depend on. `user` is null for anonymous callers. */
export interface CapabilityContext {
  env: Env;
  user: AuthUser | null;
  /** The client address (CF-Connecting-IP), 'unknown' without one. */
  ip: string;
  /** The request's origin, e.g. `https://cloud.example.org`. */
  origin: string;
}

/** Builds one top-level block; undefined leaves the block out (feature off for this caller). */
export type CapabilityBlock = (ctx: CapabilityContext) => OcsData | undefined | Promise<OcsData | undefined>;

/** The capability blocks by top-level key, in the order they are registered. */
export class CapabilityRegistry {
  private readonly blocks = new Map<string, CapabilityBlock>();

  /** Adds the block for `key`; a key can have only one owner (a second registration throws). */
  register(key: string, block: CapabilityBlock): this {
    if (this.blocks.has(key)) throw new Error(`capability block "${key}" is registered twice`);
    this.blocks.set(key, block);
    return this;
  }

  /** Every block for this caller, computed concurrently. */
  async collect(ctx: CapabilityContext): Promise<Record<string, OcsData>> {
    const entries = [...this.blocks];
    const values = await Promise.all(entries.map(([, block]) => block(ctx)));
    const out: Record<string, OcsData> = {};
    entries.forEach(([key], i) => {
      if (values[i] !== undefined) out[key] = values[i];
    });
    return out;
  }
}

/** The capabilities route over a registry. */
export function capabilitiesRoutes(registry: CapabilityRegistry): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.get('/cloud/capabilities', async (c) => {
    const user = await optionalUser(c);
    const capabilities = await registry.collect({
      env: c.env, user, ip: clientIp(c), origin: new URL(c.req.url).origin,
    });
    const { major, minor, micro, versionstring } = NEXTCLOUD_VERSION;
    return ocsOk(c, {
      version: { major, minor, micro, string: versionstring, edition: '', extendedSupport: false },
      capabilities,
    });
  });
  return r;
}
