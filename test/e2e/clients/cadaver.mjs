/** Drives cadaver non-interactively: a command script on stdin, credentials from ~/.netrc in a temp HOME. */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from './run.mjs';

/** Quotes one cadaver argument (cadaver splits on spaces and honours double quotes). */
export function quote(arg) {
  if (arg.includes('"')) throw new Error(`cadaver cannot quote ${JSON.stringify(arg)}`);
  return `"${arg}"`;
}

/**
 * Runs cadaver against `url` with `commands` (an array of lines, "quit" appended); `home` is a
 * scratch HOME that receives .netrc. Resolves { code, output, failures } where failures lists
 * output lines reporting a failed operation (cadaver itself exits 0 regardless).
 */
export async function runCadaver({ url, user, password, commands, home, cwd, timeoutMs = 10 * 60_000 }) {
  await mkdir(home, { recursive: true });
  const host = new URL(url).hostname;
  const netrc = path.join(home, '.netrc');
  await writeFile(netrc, `machine ${host}\nlogin ${user}\npassword ${password}\n`);
  await chmod(netrc, 0o600);
  const result = await run('cadaver', [url], {
    cwd,
    env: { ...process.env, HOME: home },
    input: `${[...commands, 'quit'].join('\n')}\n`,
    timeoutMs,
  });
  const failures = result.output
    .split('\n')
    .filter((l) => /failed|Could not|not found|Authentication required|Password:|Username:/i.test(l));
  return { ...result, failures };
}
