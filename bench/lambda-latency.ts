// Lambda figures: warm invoke latency p50/p99 (sequential, one environment) next to a GetFunction
// (the same HTTP path without running code), and cold starts of a trivial node and python function
// (create → first invoke's Init Duration and wall time). `node dist/bench/lambda-latency.js [n]`
import { CreateFunctionCommand, GetFunctionConfigurationCommand, InvokeCommand, LambdaClient, UpdateFunctionConfigurationCommand, waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2 } from '@aws-sdk/client-lambda';
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { startNimbus } from '../src/nimbus.js';

const N = Number(process.argv[2] ?? 500);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
const role = 'arn:aws:iam::000000000000:role/bench';

const nimbus = await startNimbus({ host: '127.0.0.1', port: 0, dataDir: mkdtempSync(join(tmpdir(), 'nimbus-bench-')), ephemeral: true, enforceIam: false, logLevel: 'silent', fsync: false, defaultRegion: 'us-east-1' });
const client = new LambdaClient({ endpoint: nimbus.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1, requestHandler: { httpAgent: new http.Agent({ keepAlive: true }) } });

async function fn(name: string, runtime: string, handler: string, files: Record<string, string>) {
  await client.send(new CreateFunctionCommand({ FunctionName: name, Runtime: runtime as 'nodejs20.x', Role: role, Handler: handler, Code: { ZipFile: zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)]))) } }));
  await waitUntilFunctionActiveV2({ client, maxWaitTime: 30, minDelay: 1 }, { FunctionName: name });
}

async function timed(f: () => Promise<unknown>, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await f();
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out;
}

await fn('warm-node', 'nodejs20.x', 'index.handler', { 'index.js': 'exports.handler = async (e) => e;' });
await fn('warm-py', 'python3.12', 'app.handler', { 'app.py': 'def handler(e, c):\n    return e\n' });
const invoke = (name: string) => () => client.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{"a":1}') }));
await timed(invoke('warm-node'), 50);
await timed(invoke('warm-py'), 50);
const base = await timed(() => client.send(new GetFunctionConfigurationCommand({ FunctionName: 'warm-node' })), N);
const node = await timed(invoke('warm-node'), N);
const py = await timed(invoke('warm-py'), N);
const line = (label: string, xs: number[]) => `${label.padEnd(34)} p50 ${pct(xs, 50).toFixed(2)} ms  p99 ${pct(xs, 99).toFixed(2)} ms`;
console.log(line('GetFunctionConfiguration (no code)', base));
console.log(line('Invoke warm node', node));
console.log(line('Invoke warm python', py));

// cold starts: a configuration change forces a new environment each round
for (const name of ['warm-node', 'warm-py']) {
  const walls: number[] = [];
  const inits: number[] = [];
  for (let i = 0; i < 10; i++) {
    await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Description: `round ${i}` }));
    await waitUntilFunctionUpdatedV2({ client, maxWaitTime: 30, minDelay: 1 }, { FunctionName: name });
    const t = process.hrtime.bigint();
    const r = await client.send(new InvokeCommand({ FunctionName: name, LogType: 'Tail' }));
    walls.push(Number(process.hrtime.bigint() - t) / 1e6);
    const m = /Init Duration: ([\d.]+) ms/.exec(Buffer.from(r.LogResult ?? '', 'base64').toString());
    if (m) inits.push(Number(m[1]));
  }
  console.log(`${`cold start ${name}`.padEnd(34)} wall p50 ${pct(walls, 50).toFixed(1)} ms  max ${Math.max(...walls).toFixed(1)} ms  Init Duration p50 ${pct(inits, 50).toFixed(1)} ms`);
}
await nimbus.stop();
