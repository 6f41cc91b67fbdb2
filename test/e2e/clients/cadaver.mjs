/** Drives cadaver non-interactively: a command script on stdin, credentials from ~/.netrc in a temp HOME. */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from './run.mjs';

/**
 * Quotes one cadaver argument. cadaver (0.24, src/cmdline.c gettoken) splits a command line on
 * spaces and tabs; a token that starts with ' or " runs to the matching quote, and inside it a
 * backslash makes the next character literal. Unquoted, `#` starts a comment and `\` escapes, so
 * every argument is double-quoted with `\` and `"` backslash-escaped: spaces (also several in a
 * row), `# % + & '` and any Unicode then reach cadaver byte for byte. put, get and mkcol do not
 * glob their arguments (parmscope_none), so `* ? [` would be literal too.
 *
 * Not expressible, so this throws for them: a line break (CR or LF; the script is read line by
 * line), a tab (stdin goes through readline, whose TAB is completion), and an argument of 8,192
 * bytes or more (cadaver's token buffer is BUFSIZ). The e2e tree has none of these.
 */
export function quote(arg) {
  if (/[\r\n\t]/.test(arg)) throw new Error(`cadaver cannot express ${JSON.stringify(arg)} (line break or tab)`);
  if (Buffer.byteLength(arg) >= 8192) throw new Error(`cadaver cannot express an argument of ${Buffer.byteLength(arg)} bytes`);
  return `"${arg.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
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
    .filter((l) => /failed|Could not|not found|Authentication required|Password:|Username:|Unrecognised command|requires \d+ argument|takes (at most|no)/i.test(l));
  return { ...result, failures };
}
