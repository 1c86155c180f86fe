// npm run bench [-- --seconds N] [--only <text>] [--servers null,nimbus]: time to ready, idle RSS and ops/s of Nimbus next to moto_server and
// a null server (the ceiling). Servers run one at a time as child processes; the load comes from
// this process, through the AWS SDK v3, with the same client and concurrency for all.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CONCURRENCY, WORKLOADS, type ServerName, type Workload } from './workloads.js';

if (process.argv.includes('--help')) {
  console.log(`node dist/bench/bench.js [--seconds N] [--only <text>] [--servers null,nimbus,moto]
  --seconds N    measured seconds per workload (default 3)
  --only <text>  only the workloads whose name contains <text> (e.g. 'dynamodb', 'ec2 Run', 'sts|sqs Send')
  --servers      a subset of the three servers, comma-separated
A quick run: --seconds 1 --servers null,nimbus. Results also go to bench-results.json.`);
  process.exit(0);
}
// the SDK's notice that Node 20 support ends would sit in every run's output
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const argSeconds = process.argv.indexOf('--seconds');
const SECONDS = argSeconds > 0 ? Number(process.argv[argSeconds + 1]) : 3;
/** --only: just the workloads whose name contains this text; --servers: a subset of the three (for quick iterations) */
const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
/** --only 'sts|sqs Send': the workloads whose name contains any of the |-separated texts */
const ONLY = arg('--only')?.split('|');
const chosen = (w: Workload) => !ONLY || ONLY.some((t) => w.name.includes(t));
const ONLY_SERVERS = arg('--servers')?.split(',');
const WARMUP_MS = 500, SETTLE_MS = 500, READY_TIMEOUT_MS = 30_000;
const TARGETS = { readyMs: 150, rssMiB: 60 };

/** The null server's canned answers, written to a temp file it reads at start. */
function writeRoutes(): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nimbus-null-')), 'routes.json');
  fs.writeFileSync(file, JSON.stringify(WORKLOADS.flatMap((w) => w.nullResponse)));
  return file;
}

interface ServerSpec { name: ServerName; label: string; cmd: string; args(port: number): string[]; probe: string; env?: object }
interface Run { ops: number; errors: number; opsPerSec: number; clientCpu: number; serverCpuMsPerOp?: number; firstError?: string }
interface Result { status: 'ok' | 'absent' | 'failed'; error?: string; readyMs?: number; rssMiB?: number; workloads: Record<string, Run> }

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbus-bench-'));
const SERVERS: ServerSpec[] = [
  { name: 'null', label: 'null', cmd: process.execPath, probe: '/',
    args: (p) => [new URL('./null-server.js', import.meta.url).pathname, '--port', String(p)],
    // a file, not the environment: the routes outgrow the kernel's 128 KiB limit on one variable (E2BIG)
    env: { NULL_ROUTES_FILE: writeRoutes() } },
  { name: 'nimbus', label: 'Nimbus', cmd: process.execPath, probe: '/_nimbus/health',
    args: (p) => [new URL('../src/main.js', import.meta.url).pathname, '--port', String(p), '--host', '127.0.0.1',
      '--data-dir', dataDir, '--log-level', 'warn'] },
  { name: 'moto', label: 'moto', cmd: 'moto_server', probe: '/moto-api/', args: (p) => ['-H', '127.0.0.1', '-p', String(p)] },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const message = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Any HTTP answer below 500 means the server is up (moto's dashboard, a 4xx, the health route). */
function probe(port: number, p: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 500);
    });
    req.on('error', () => resolve(false)).on('timeout', () => req.destroy());
  });
}

/** The pid that really serves: step through shell wrappers (e.g. a shim script) to their child. */
function serverPid(pid: number): number {
  for (;;) {
    const exe = path.basename(fs.readlinkSync(`/proc/${pid}/exe`));
    const kids = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    if (!/^(ba|da)?sh$/.test(exe) || kids.length === 0) return pid;
    pid = Number(kids[0]);
  }
}
/** CPU time (user + system, all threads) a process has used, in ms: what each op costs the server, whatever the load. */
function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
}
const TICKS = 100; // USER_HZ on Linux
const rssMiB = (pid: number) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

const live = new Set<ChildProcess>();
async function stop(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return void live.delete(child);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  if (!(await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]))) child.kill('SIGKILL');
  await exited;
  live.delete(child);
}
process.on('exit', () => live.forEach((c) => c.kill('SIGKILL')));
process.on('SIGINT', async () => {
  await Promise.all([...live].map(stop));
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(130);
});

/** 16 workers share one client; an op is counted only if it succeeded and began before the deadline. */
async function drive(w: Workload, endpoint: string, ms: number): Promise<Run> {
  let ops = 0, errors = 0, i = 0, firstError: string | undefined;
  const t0 = performance.now(), end = t0 + ms, cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() < end) {
      try { await w.op(endpoint, i++); ops++; } catch (e) { errors++; firstError ??= message(e); }
    }
  }));
  const elapsed = performance.now() - t0, cpu = process.cpuUsage(cpu0);
  // clientCpu near 1 (one core busy) means the SDK client, not the server, is the limit.
  return { ops, errors, opsPerSec: ops / (elapsed / 1000), clientCpu: (cpu.user + cpu.system) / 1000 / elapsed, firstError };
}

const clientWarm = new Set<string>();
async function bench(s: ServerSpec): Promise<Result> {
  const port = await freePort(), endpoint = `http://127.0.0.1:${port}`, out: string[] = [];
  const t0 = performance.now();
  const child = spawn(s.cmd, s.args(port), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...s.env } });
  live.add(child);
  let spawnError: NodeJS.ErrnoException | undefined;
  child.on('error', (e) => (spawnError = e));
  for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (d) => out.push(String(d)) > 40 && out.shift());
  const exited = new Promise((r) => child.once('exit', r));
  let current = 'start-up', partial: Result = { status: 'ok', workloads: {} };
  try {
    while (!(await probe(port, s.probe))) {
      const gone = spawnError || child.exitCode !== null || child.signalCode !== null;
      const why = spawnError?.message ?? `exited with ${child.exitCode ?? child.signalCode}: ${out.join('').slice(-800)}`;
      // ENOENT or a shim's "command not found" (127): the tool is not on this machine.
      if (gone) return { status: spawnError?.code === 'ENOENT' || child.exitCode === 127 ? 'absent' : 'failed', error: why, workloads: {} };
      if (performance.now() - t0 > READY_TIMEOUT_MS) return { status: 'failed', error: 'not ready in 30 s', workloads: {} };
      await sleep(5);
    }
    const result: Result = (partial = { status: 'ok', readyMs: performance.now() - t0, workloads: {} });
    await sleep(SETTLE_MS);
    const pid = serverPid(child.pid!);
    result.rssMiB = rssMiB(pid);
    for (const w of WORKLOADS.filter((w) => (!w.supports || w.supports.includes(s.name)) && chosen(w))) {
      current = w.name;
      const setupStart = performance.now();
      await w.setup(endpoint);
      console.error(`  ${s.label}: ${w.name} (setup ${((performance.now() - setupStart) / 1000).toFixed(1)} s)`);
      // The first run of a workload also warms this process's SDK code (JIT), so it gets longer:
      // otherwise whichever server goes first is measured against a colder client.
      await drive(w, endpoint, clientWarm.has(w.name) ? WARMUP_MS : 4 * WARMUP_MS);
      clientWarm.add(w.name);
      const cpu0 = cpuMs(pid);
      const run = await drive(w, endpoint, SECONDS * 1000);
      run.serverCpuMsPerOp = run.ops ? (cpuMs(pid) - cpu0) / run.ops : undefined;
      result.workloads[w.name] = run;
    }
    return result;
  } catch (e) {
    // a server that ended while measured: say how (exit code or signal) and what it printed last;
    // /proc can be gone before the exit event comes, so wait for it a moment
    await Promise.race([exited, sleep(1000)]);
    if (child.exitCode === null && child.signalCode === null) throw e;
    const how = `exited (code ${child.exitCode}, signal ${child.signalCode}) during ${current}`;
    return { ...partial, status: 'failed', error: `${how}: ${out.join('').slice(-1500)}` };
  } finally {
    await stop(child);
  }
}

// ---- run, then report
const results = {} as Record<ServerName, Result>;
const loadBefore = os.loadavg()[0]; // other work on the machine skews everything: show it
try {
  for (const s of SERVERS) {
    if (ONLY_SERVERS && !ONLY_SERVERS.includes(s.name)) {
      results[s.name] = { status: 'absent', error: 'not in --servers', workloads: {} };
      continue;
    }
    console.error(`starting ${s.label}…`);
    const started = performance.now();
    results[s.name] = await bench(s).catch((e) => ({ status: 'failed' as const, error: message(e), workloads: {} }));
    console.error(`${s.label}: ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
} finally {
  await Promise.all([...live].map(stop));
  fs.rmSync(dataDir, { recursive: true, force: true });
}

const [nul, nim, moto] = (['null', 'nimbus', 'moto'] as const).map((n) => results[n]);
const fmt = (v: number | undefined) => (v === undefined ? '–' : v >= 100 || v === 0 ? v.toFixed(0) : v.toFixed(1));
const ratio = (a?: number, b?: number) => (a !== undefined && b ? `${(a / b).toFixed(2)}×` : '–');
// a server that failed part-way keeps the figures measured before it failed
const cell = (r: Result, v?: number, extra = '') => (v !== undefined ? fmt(v) + extra : r.status !== 'ok' ? r.status : 'n/a');
const mark = (v: number | undefined, max: number) => (v === undefined ? '' : `${v < max ? '✓' : '✗'} <${max}`);
const runCell = (r: Result, name: string) => {
  const run = r.workloads[name];
  return cell(r, run?.opsPerSec, run?.errors ? ` (${run.errors} err)` : '');
};

// Nimbus vs moto reads "times better": for time and memory that is moto/Nimbus.
const rows: string[][] = [
  ['', 'null', 'Nimbus', 'target', 'moto', 'Nimbus/null', 'moto/null', 'Nimbus vs moto'],
  ['time to ready (ms)', cell(nul, nul.readyMs), cell(nim, nim.readyMs), mark(nim.readyMs, TARGETS.readyMs), cell(moto, moto.readyMs),
    ratio(nim.readyMs, nul.readyMs), ratio(moto.readyMs, nul.readyMs), ratio(moto.readyMs, nim.readyMs)],
  ['idle RSS (MiB)', cell(nul, nul.rssMiB), cell(nim, nim.rssMiB), mark(nim.rssMiB, TARGETS.rssMiB), cell(moto, moto.rssMiB),
    ratio(nim.rssMiB, nul.rssMiB), ratio(moto.rssMiB, nul.rssMiB), ratio(moto.rssMiB, nim.rssMiB)],
  ...WORKLOADS.filter(chosen).map((w) => {
    const v = (r: Result) => r.workloads[w.name]?.opsPerSec;
    return [`${w.name} (ops/s)`, runCell(nul, w.name), runCell(nim, w.name), '', runCell(moto, w.name),
      ratio(v(nim), v(nul)), ratio(v(moto), v(nul)), ratio(v(nim), v(moto))];
  }),
];
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
const cpu = os.cpus();
console.log(`Nimbus bench — ${new Date().toISOString()} — ${cpu.length} cores (${cpu[0]?.model.trim()}), node ${process.version}, load ${loadBefore.toFixed(2)}`);
console.log(`AWS SDK v3, concurrency ${CONCURRENCY}, ${WARMUP_MS} ms warm-up, ${SECONDS} s per workload; Nimbus with persistence on\n`);
for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));

const problems = [nul, nim, moto].flatMap((r, i) => [
  ...(r.status !== 'ok' ? [`${SERVERS[i].label} ${r.status}: ${r.error}`] : []),
  ...Object.entries(r.workloads).filter(([, run]) => run.errors).map(([n, run]) => `${SERVERS[i].label} ${n}: ${run.errors} errors, first: ${run.firstError}`),
]);
// The ratios above share 2 cores between the client and the server; CPU time per op does not depend on that.
const cpuRows: string[][] = [
  ['server CPU per op (ms, user + system)', 'null', 'Nimbus', 'moto', 'Nimbus/null', 'moto/Nimbus'],
  ...WORKLOADS.filter(chosen).map((w) => {
    const v = (r: Result) => r.workloads[w.name]?.serverCpuMsPerOp;
    const ms = (r: Result) => (v(r) === undefined ? (r.status !== 'ok' ? r.status : 'n/a') : v(r)! >= 10 ? v(r)!.toFixed(1) : v(r)!.toFixed(3));
    return [w.name, ms(nul), ms(nim), ms(moto), ratio(v(nim), v(nul)), ratio(v(moto), v(nim))];
  }),
];
const cpuWidths = cpuRows[0].map((_, c) => Math.max(...cpuRows.map((r) => r[c].length)));
console.log('');
for (const r of cpuRows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(cpuWidths[i]) : c.padStart(cpuWidths[i]))).join('  '));

const cpuNote = [nul, nim, moto].map((r, i) => `${SERVERS[i].label} ${Object.values(r.workloads).map((w) => `${(w.clientCpu * 100).toFixed(0)}%`).join('/') || '–'}`);
console.log(`\nclient (bench process) CPU during the runs, % of one core: ${cpuNote.join(', ')}`);
if (problems.length) console.log(problems.join('\n'));

const out = new URL('../bench-results.json', import.meta.url).pathname;
fs.writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), cores: cpu.length, cpu: cpu[0]?.model, node: process.version,
  loadavg: loadBefore, concurrency: CONCURRENCY, seconds: SECONDS, targets: TARGETS, results }, null, 2));
console.error(`results written to ${out}`);

// The bench reports, it doesn't gate on targets; but a server that can't start, or errors on the
// null server or Nimbus, make the numbers meaningless.
const broken = [nul, nim].some((r) => r.status === 'failed' || Object.values(r.workloads).some((w) => w.errors)) || moto.status === 'failed';
process.exit(broken ? 1 : 0);
