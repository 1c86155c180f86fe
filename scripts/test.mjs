#!/usr/bin/env node
// Runs the compiled test files in parallel across the cores, by tier and service.
//   node scripts/test.mjs [--tier unit|sdk|clients]… [--service s3]… [--concurrency N] [text…]
// A file's service is its folder under test/ (test/s3/objects.test.ts → s3). Its tier is named by
// its suffix: `*.unit.test.ts` (a module, no server), `*.clients.test.ts` (the CLIs, boto3, a
// browser, or Nimbus as a child process), else `sdk` (a server in this process, SDK v3 clients).
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    tier: { type: 'string', multiple: true },
    service: { type: 'string', multiple: true },
    concurrency: { type: 'string' },
    list: { type: 'boolean' },
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
const args = ['--test', `--test-concurrency=${concurrency}`, ...reporters, ...chosen];
const child = spawn(process.execPath, args, { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
