// The README's node:test example, run as written: it imports 'nimbus' (the package resolves itself
// through its own `exports`) and the SDK from this repository's node_modules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

test('the README node:test example passes', async () => {
  const readme = readFileSync('README.md', 'utf8');
  const m = /<!-- readme-example: node-test -->\n```js\n([\s\S]*?)\n```/.exec(readme);
  assert.ok(m, 'the README marks its node:test example');
  // inside the repository (not under dist/test, so `npm test` does not collect it)
  const file = resolve(join('dist', `readme-example-${process.pid}.test.mjs`));
  writeFileSync(file, m[1]);
  try {
    // a runner of its own: without this the child reports to ours in its internal format
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const { stdout } = await promisify(execFile)(process.execPath, ['--test', '--test-reporter=tap', file], { timeout: 60_000, env });
    assert.match(stdout, /^# pass 3$/m);
    assert.match(stdout, /^# fail 0$/m);
  } finally {
    rmSync(file, { force: true });
  }
});
