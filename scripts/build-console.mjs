#!/usr/bin/env node
// Builds the web console (console/ → dist/console/): Preact pages and the AWS SDK clients they use,
// bundled by esbuild for the browser, one chunk per page (console/pages/<svc>.tsx, indexed here so a
// service adds a page without touching another file). Skips the build when nothing under console/
// is newer than the last one; `--force` builds anyway.
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  copyFileSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'console');
const out = join(root, 'dist', 'console');
const stamp = join(out, '.build-stamp');

function newest(dir) {
  let max = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    max = Math.max(max, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return max;
}

const self = statSync(fileURLToPath(import.meta.url)).mtimeMs;
const isStale = () => !existsSync(stamp) || Math.max(newest(src), self) > statSync(stamp).mtimeMs;
const force = process.argv.includes('--force');
if (!isStale() && !force) process.exit(0);

// test files start in parallel and each makes sure the console is built: one builds, the others wait
const lock = join(root, 'dist', '.console-build.lock');
mkdirSync(join(root, 'dist'), { recursive: true });
for (const deadline = Date.now() + 120_000; ;) {
  try {
    closeSync(openSync(lock, 'wx'));
    break;
  } catch (e) {
    if (e.code !== 'EEXIST') throw e;
    // a lock left by a build that died is older than any build takes
    if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { force: true });
    if (Date.now() > deadline) throw new Error(`the console build lock ${lock} is held`, { cause: e });
    await sleep(100);
  }
}
process.on('exit', () => rmSync(lock, { force: true }));
if (!isStale() && !force) process.exit(0);

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  // an installed package without the dev tools: serve whatever was built, if anything
  process.stderr.write('nimbus: esbuild is not installed; the console is not rebuilt\n');
  process.exit(0);
}

const pages = readdirSync(join(src, 'pages'))
  .filter((f) => /^[a-z0-9-]+\.tsx$/.test(f))
  .map((f) => f.replace(/\.tsx$/, ''))
  .sort();

/** `console:pages` — `{ s3: () => import('./pages/s3.tsx'), … }`, one lazy chunk per page. */
const pagesIndex = {
  name: 'pages-index',
  setup(build) {
    build.onResolve({ filter: /^console:pages$/ }, () => ({ path: 'pages', namespace: 'console-pages' }));
    build.onLoad({ filter: /.*/, namespace: 'console-pages' }, () => ({
      resolveDir: src,
      loader: 'js',
      contents: `export const pages = {\n${pages.map((p) => `  ${JSON.stringify(p)}: () => import(${JSON.stringify(`./pages/${p}.tsx`)}),`).join('\n')}\n};\n`,
    }));
  },
};

const started = Date.now();
// built beside, then swapped in: a running Nimbus never serves a half-written console
const tmp = `${out}.tmp-${process.pid}`;
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: [join(src, 'main.tsx')],
  outdir: tmp,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  minify: true,
  sourcemap: false,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  chunkNames: 'chunks/[name]-[hash]',
  entryNames: '[name]',
  define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
  plugins: [pagesIndex],
  metafile: true,
  logLevel: 'warning',
  legalComments: 'none',
});
// pages import server types with `import type` (erased); a value import would bundle server code
const server = Object.keys(result.metafile.inputs).filter((f) => /^(src|dist)\//.test(f));
if (server.length) {
  rmSync(tmp, { recursive: true, force: true });
  throw new Error(`server code in the console bundle (use \`import type\`): ${server.join(', ')}`);
}
copyFileSync(join(src, 'index.html'), join(tmp, 'index.html'));
copyFileSync(join(src, 'style.css'), join(tmp, 'style.css'));
writeFileSync(join(tmp, 'meta.json'), JSON.stringify({ pages, built: new Date().toISOString() }));
const main = Object.entries(result.metafile.outputs).find(([f]) => f.endsWith('main.js'))?.[1].bytes ?? 0;
// gzip beside every script and style sheet: served to browsers that accept it (the S3 page's SDK is 4× smaller)
for (const f of [...Object.keys(result.metafile.outputs).map((o) => join(root, o)), join(tmp, 'style.css')]) {
  if (/\.(js|css)$/.test(f)) writeFileSync(`${f}.gz`, gzipSync(readFileSync(f), { level: 9 }));
}
writeFileSync(join(tmp, '.build-stamp'), '');
rmSync(out, { recursive: true, force: true });
renameSync(tmp, out);
process.stderr.write(
  `nimbus: console built (${pages.length} pages, first load ${(main / 1024).toFixed(0)} KiB) in ${Date.now() - started} ms\n`,
);
