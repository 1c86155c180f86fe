// Builds (tsc) only when a source under src/ is newer than the last build: `npm start` on an unchanged checkout
// starts at once; `prepare` (npm install, npm pack) builds a fresh checkout. With `--start`, then
// runs Nimbus in this same process with the remaining arguments.
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', '.build-stamp');

function newest(dir) {
  let max = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) max = Math.max(max, newest(p));
    else if (e.name.endsWith('.ts')) max = Math.max(max, statSync(p).mtimeMs);
  }
  return max;
}

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);

export function isStale() {
  if (!existsSync(join(root, 'dist', 'src', 'main.js'))) return true;
  const built = Math.max(mtime(stamp), mtime(join(root, 'dist', '.tsbuildinfo')));
  const sources = Math.max(
    ...['src'].filter((d) => existsSync(join(root, d))).map((d) => newest(join(root, d))),
    mtime(join(root, 'tsconfig.json')),
  );
  return sources > built;
}

function build() {
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    // an installed package ships dist and has no TypeScript: nothing to build
    return;
  }
  process.stderr.write('nimbus: sources changed since the last build; compiling (tsc)…\n');
  const r = spawnSync(process.execPath, [tsc, '-p', root], { stdio: 'inherit' });
  if (r.status !== 0) process.stderr.write('nimbus: tsc reported errors (the emitted JavaScript is used anyway)\n');
  writeFileSync(stamp, '');
  const now = new Date();
  utimesSync(stamp, now, now);
}

const args = process.argv.slice(2);
const start = args[0] === '--start';
if (isStale()) build();
if (start) {
  process.argv.splice(2, 1);
  await import(pathToFileURL(join(root, 'dist', 'src', 'main.js')).href);
}
