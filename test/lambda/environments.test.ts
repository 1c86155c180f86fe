// Execution environments: concurrent invocations scale out to more processes, each with its own /tmp;
// warm ones are reused; every process is gone once the server stops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { startServer } from '../helpers.js';
import { lambdaClient, createFunction, decode } from '../lambda-helpers.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('concurrent invocations run in separate processes with private /tmp; stopping the server kills them all', async () => {
  const server = await startServer();
  const pids = new Set<number>();
  try {
    const c = lambdaClient(server.url);
    await createFunction(
      c,
      'sleepy',
      'nodejs20.x',
      'index.handler',
      {
        'index.js': `const fs = require('fs'); const path = require('path'); const os = require('os');
exports.handler = async () => {
  const mine = path.join(os.tmpdir(), 'marker');
  const existed = fs.existsSync(mine);
  fs.writeFileSync(mine, String(process.pid));
  await new Promise((r) => setTimeout(r, 1500));
  return { pid: process.pid, tmp: os.tmpdir(), existed };
};`,
      },
      { Timeout: 30 },
    );
    const runs = await Promise.all([1, 2, 3, 4].map(() => c.send(new InvokeCommand({ FunctionName: 'sleepy' }))));
    const outs = runs.map((r) => JSON.parse(decode(r.Payload)) as { pid: number; tmp: string; existed: boolean });
    for (const o of outs) pids.add(o.pid);
    assert.equal(pids.size, 4);
    assert.equal(new Set(outs.map((o) => o.tmp)).size, 4);
    assert.ok(outs.every((o) => !o.existed));
    // warm: the next invocation reuses one of them, and finds its own /tmp file
    const again = JSON.parse(decode((await c.send(new InvokeCommand({ FunctionName: 'sleepy' }))).Payload));
    assert.ok(pids.has(again.pid));
    assert.equal(again.existed, true);
    assert.ok([...pids].every(alive));
  } finally {
    await server.stop();
  }
  // the runtimes get SIGKILL on stop; their exit may take a moment to show on a loaded machine
  for (let i = 0; i < 100 && [...pids].some(alive); i++) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual([...pids].filter(alive), []);
});
