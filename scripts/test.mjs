#!/usr/bin/env node
// Runs the compiled test files in parallel across the cores, by tier and service.
//   node scripts/test.mjs [--tier unit|sdk|clients]… [--service s3]… [--concurrency N] [--no-rerun] [text…]
// A file's service is its folder under test/ (test/s3/objects.test.ts → s3). Its tier is named by
// its suffix: `*.unit.test.ts` (a module, no server), `*.clients.test.ts` (the CLIs, boto3, a
// browser, or Nimbus as a child process), else `sdk` (a server in this process, SDK v3 clients).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    tier: { type: 'string', multiple: true },
    service: { type: 'string', multiple: true },
    concurrency: { type: 'string' },
    list: { type: 'boolean' },
    'no-rerun': { type: 'boolean' },
  },
});
const TIERS = ['unit', 'sdk', 'clients'];
for (const t of values.tier ?? []) if (!TIERS.includes(t)) throw new Error(`unknown tier ${t}: one of ${TIERS.join(', ')}`);

const root = 'dist/test';
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    // a compiled file whose source was moved or deleted is stale: skip it
    else if (name.endsWith('.test.js') && existsSync(path.replace(/^dist[\\/]/, '').replace(/\.js$/, '.ts'))) files.push(path);
  }
})(root);

const tierOf = (f) => (f.endsWith('.unit.test.js') ? 'unit' : f.endsWith('.clients.test.js') ? 'clients' : 'sdk');
const serviceOf = (f) => {
  const parts = relative(root, f).split(sep);
  return parts.length > 1 ? parts[0] : parts[0].split(/[.-]/)[0];
};
const chosen = files
  .filter((f) => !values.tier || values.tier.includes(tierOf(f)))
  .filter((f) => !values.service || values.service.includes(serviceOf(f)))
  .filter((f) => positionals.length === 0 || positionals.some((p) => f.includes(p)))
  // the slow tiers first, so the long files do not end up alone at the end
  .sort((a, b) => TIERS.indexOf(tierOf(b)) - TIERS.indexOf(tierOf(a)) || a.localeCompare(b));

if (values.list) {
  for (const f of chosen) console.log(`${tierOf(f).padEnd(8)}${serviceOf(f).padEnd(12)}${f}`);
  process.exit(0);
}
if (chosen.length === 0) {
  console.error('no test file matches');
  process.exit(1);
}
const concurrency = values.concurrency ?? String(Math.max(2, availableParallelism()));
const reporters = ['--test-reporter=tap', '--test-reporter-destination=stdout'];
reporters.push(`--test-reporter=${new URL('failures-reporter.mjs', import.meta.url).pathname}`, '--test-reporter-destination=stdout');
const run = (files, concurrency, env = {}) =>
  new Promise((resolve) => {
    const args = ['--test', `--test-concurrency=${concurrency}`, ...reporters, ...files];
    const child = spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });

// A file with a failed test runs once more, alone. A test that then passes is flaky: the run stays
// green but the log's last lines name it, so it is fixed rather than lost in a rerun of CI. A test
// that fails twice fails the run. Off with --no-rerun (or when the first run failed without a test).
const listing = join(mkdtempSync(join(tmpdir(), 'nimbus-test-')), 'failed');
const code = await run(chosen, concurrency, { NIMBUS_FAILED_FILES: listing });
const failedFiles = code !== 0 && existsSync(listing) ? readFileSync(listing, 'utf8').split('\n').filter(Boolean) : [];
if (code === 0 || failedFiles.length === 0 || values['no-rerun']) process.exit(code);
console.log(
  `\n# rerunning ${failedFiles.length} file(s) with a failed test, one at a time:\n${failedFiles.map((f) => `#   ${f}`).join('\n')}`,
);
const again = await run(failedFiles, '1');
if (again !== 0) process.exit(again);
console.log(
  `\n# FLAKY: these failures passed on a rerun of their files. They are defects to fix:${readFileSync(`${listing}.txt`, 'utf8')}`,
);
