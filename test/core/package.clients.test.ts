// The npm package as a user gets it: `npm pack`, then `npm install ./nimbus-*.tgz` in a fresh folder
// outside the repository; the `nimbus` bin, the API from an ES module, a CommonJS file and
// TypeScript (the shipped .d.ts), with no TypeScript compile of Nimbus in the user's project.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = resolve('.');
const npm = spawnSync('npm', ['--version'], { encoding: 'utf8' });
const skip = npm.status === 0 ? false : 'npm is not available on this machine: the package test needs it to pack and install';

test('npm pack → npm install in a fresh folder: bin, ESM and CommonJS API, TypeScript types', { skip, timeout: 240_000 }, async () => {
  const work = mkdtempSync(join(tmpdir(), 'nimbus-package-'));
  try {
    // the tests run after a build, so dist is current: pack without the prepare step
    const packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], {
      cwd: repo,
      maxBuffer: 64 * 1024 * 1024,
    });
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    const files = info.files.map((f) => f.path);
    for (const f of [
      'package.json',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/nimbus.d.ts',
      'dist/src/main.js',
      'dist/src/localstack/nimbus-aws.js',
      'cjs/index.cjs',
      'cjs/index.d.cts',
      'models/s3.json',
      'models/index.json',
    ]) {
      assert.ok(files.includes(f), `${f} is in the package`);
    }
    assert.deepEqual(
      files.filter((f) => f.startsWith('dist/test/') || f.startsWith('dist/bench/') || f.endsWith('.map') || f.startsWith('test/')),
      [],
    );
    assert.deepEqual(
      files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.includes('/runtimes/')),
      [],
      'no TypeScript sources to compile',
    );

    const app = join(work, 'app');
    cpSync(join(repo, 'test', 'fixtures', 'package-app'), app, { recursive: true });
    // stored as .txt so the repository's own build leaves them alone
    for (const f of ['typed.mts', 'typed.cts']) renameSync(join(app, `${f}.txt`), join(app, f));
    // --ignore-scripts: better-sqlite3 would fetch a prebuilt binary from GitHub or compile SQLite (minutes);
    // the repository's build of it is for this same Node, so it is copied in below.
    await run('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', join(work, info.filename)], {
      cwd: app,
      timeout: 180_000,
    });
    const ours = (p: string) => (JSON.parse(readFileSync(join(p, 'package.json'), 'utf8')) as { version: string }).version;
    const sqlite = join(app, 'node_modules', 'better-sqlite3');
    if (ours(sqlite) === ours(join(repo, 'node_modules', 'better-sqlite3')))
      cpSync(join(repo, 'node_modules', 'better-sqlite3', 'build'), join(sqlite, 'build'), { recursive: true });
    else await run('npm', ['rebuild', 'better-sqlite3'], { cwd: app, timeout: 300_000 });
    assert.equal(existsSync(join(app, 'node_modules', 'typescript')), false, 'TypeScript is not installed with Nimbus');

    // the bin: --version, then a server that prints Ready. and answers LocalStack's health check
    const bin = join(app, 'node_modules', '.bin', 'nimbus');
    assert.equal((await run(bin, ['--version'])).stdout.trim(), `nimbus ${ours(repo)}`);
    const proc = spawn(bin, ['--port', '0', '--ephemeral', '--log-level', 'warn'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const endpoint = await new Promise<string>((ok, fail) => {
        let out = '';
        proc.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /endpoint\s+(http:\/\/\S+)[\s\S]*^Ready\.$/m.exec(out);
          if (m) ok(m[1]);
        });
        proc.once('exit', (code) => fail(new Error(`the bin exited with ${code}: ${out}`)));
      });
      const health = (await (await fetch(`${endpoint}/_localstack/health`)).json()) as { services: Record<string, string> };
      assert.equal(health.services.s3, 'running');
    } finally {
      proc.kill('SIGTERM');
    }

    // the API from an ES module and from CommonJS (each prints what it saw)
    const esm = JSON.parse((await run(process.execPath, ['esm.mjs'], { cwd: app })).stdout) as Record<string, unknown>;
    assert.deepEqual(esm, { buckets: ['from-esm'], region: 'us-east-1', health: 'running', reset: [] });
    const cjs = JSON.parse((await run(process.execPath, ['cjs.cjs'], { cwd: app })).stdout) as Record<string, unknown>;
    assert.deepEqual(cjs, { endpoint: true, health: 'running', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

    // the shipped declarations type a user's TypeScript (compiled here with the repo's tsc)
    const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    const typed = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8' });
    assert.equal(typed.status, 0, typed.stdout + typed.stderr);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
