#!/usr/bin/env node
/**
 * `npm run fsck [-- [--repair] [--json] [URL USER PASSWORD]]`: checks a running Cumulus — D1
 * against R2 (missing and orphan blobs), folder and file sizes, ETags, parent links — through its
 * admin endpoint (GET/POST /ocs/v2.php/apps/cumulus/fsck) and prints the report.
 *
 *   --repair   repair what is derived (sizes, ETags, orphan blobs past the 24 h grace period)
 *   --json     print the raw report instead of the summary
 *   URL        the server (default $CUMULUS_URL, else http://127.0.0.1:$PORT, PORT default 8787)
 *   USER PASSWORD  an admin account (default $ADMIN_USER / $ADMIN_PASSWORD, as `npm start` takes
 *              them; prefer the environment: arguments show up in the process list)
 *
 * Exit code: 0 when nothing needed repair beyond derived data (orphans, folder sizes, ETags),
 * 1 when damage was found (missing blobs, wrong blob or file sizes, malformed segments, broken
 * parent links), 2 when the check could not run.
 */
import process from 'node:process';

function usage(message) {
  if (message) console.error(`fsck: ${message}`);
  console.error('usage: npm run fsck -- [--repair] [--json] [URL USER PASSWORD]');
  process.exit(2);
}

function parseArgs(argv) {
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const positional = argv.filter((a) => !a.startsWith('--'));
  for (const f of flags) if (f !== '--repair' && f !== '--json') usage(`unknown option ${f}`);
  if (![0, 1, 3].includes(positional.length)) usage('give URL, or URL USER PASSWORD');
  const url = positional[0] ?? process.env.CUMULUS_URL ?? `http://127.0.0.1:${process.env.PORT || 8787}`;
  const user = positional[1] ?? process.env.ADMIN_USER;
  const password = positional[2] ?? process.env.ADMIN_PASSWORD;
  if (!user || !password) usage('no admin credentials: set ADMIN_USER and ADMIN_PASSWORD, or pass USER PASSWORD');
  return { url: url.replace(/\/+$/, ''), user, password, repair: flags.has('--repair'), json: flags.has('--json') };
}

const LABELS = {
  missingBlobs: 'missing blobs (referenced, not in R2)',
  blobSizes: 'blobs whose size differs from their segment',
  fileSizes: 'file sizes that differ from their segments',
  malformedSegments: 'rows with unreadable segments',
  parents: 'rows with a missing or wrong parent',
  folderSizes: 'wrong folder sizes (derived)',
  etags: 'unusable ETags (derived)',
  orphanBlobs: 'orphan blobs past the grace period (garbage)',
};

function describe(finding) {
  const where = finding.path !== undefined ? JSON.stringify(finding.path) : finding.version ? `version ${finding.version}` : `chunk ${finding.chunk}`;
  const rest = Object.entries(finding).filter(([k]) => !['path', 'version', 'chunk'].includes(k)).map(([k, v]) => `${k}=${v}`);
  return `${where}${rest.length ? ` (${rest.join(', ')})` : ''}`;
}

function print(report) {
  const t = report.totals;
  console.log(`fsck ${report.repair ? 'with repair' : '(check only)'} at ${report.checkedAt}: ${t.listedBlobs} blobs listed`);
  for (const [kind, label] of Object.entries(LABELS)) console.log(`  ${String(t[kind]).padStart(7)}  ${label}`);
  console.log(`  ${String(t.youngOrphanBlobs).padStart(7)}  unreferenced blobs within the grace period (writes in flight; left alone)`);
  if (t.orphanBlobs) console.log(`           orphan bytes: ${t.orphanBytes}; e.g. ${report.orphanSample.slice(0, 5).join(', ')}`);
  if (report.blobsSkipped) console.log(`  blob check skipped: ${report.blobsSkipped}`);
  for (const [user, u] of Object.entries(report.users)) {
    console.log(`user ${user}:`);
    for (const [kind, count] of Object.entries(u.counts)) {
      const list = u.findings[kind] ?? [];
      console.log(`  ${LABELS[kind] ?? kind}: ${count}${list.length < count ? ` (first ${list.length} listed)` : ''}`);
      for (const f of list) console.log(`    ${describe(f)}`);
    }
  }
  if (report.repair) {
    const r = report.repaired;
    console.log(`repaired: ${r.folderSizes} folder sizes, ${r.fileSizes} file sizes, ${r.etags} ETags, ${r.orphanBlobs} orphan blobs (${r.orphanBytes} bytes)`);
  }
  console.log(report.damaged ? 'DAMAGE found: see above (not repairable by fsck).'
    : report.clean ? 'clean.' : `nothing beyond derived data${report.repair ? '' : ' (run with --repair to fix it)'}.`);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const endpoint = `${opts.url}/ocs/v2.php/apps/cumulus/fsck?format=json`;
  let res;
  try {
    res = await fetch(endpoint, {
      method: opts.repair ? 'POST' : 'GET',
      headers: {
        Authorization: `Basic ${Buffer.from(`${opts.user}:${opts.password}`).toString('base64')}`,
        'OCS-APIRequest': 'true',
        Accept: 'application/json',
      },
    });
  } catch (err) {
    console.error(`fsck: cannot reach ${opts.url}: ${err.cause?.message ?? err.message}`);
    process.exit(2);
  }
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    console.error(`fsck: HTTP ${res.status} from ${endpoint}: ${text.slice(0, 300)}`);
    process.exit(2);
  }
  if (!res.ok) {
    console.error(`fsck: HTTP ${res.status}: ${body?.ocs?.meta?.message ?? text.slice(0, 300)}`);
    process.exit(2);
  }
  const report = body.ocs.data;
  if (opts.json) console.log(JSON.stringify(report, null, 2));
  else print(report);
  process.exit(report.damaged ? 1 : 0);
}

main();
