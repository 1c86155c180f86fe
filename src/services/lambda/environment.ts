// One execution environment: a child process (the runtime's bootstrap) that pulls invocations from
// Nimbus's Runtime API, one at a time. Its output is split per invocation; a timeout, a crash or an
// out-of-memory end the process and fail the invocation as AWS reports it. Memory is watched as
// AWS's cgroup does it: a process whose resident memory passes MemorySize while it runs is killed.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import type { Server } from 'node:net';

export interface InvocationRequest {
  requestId: string;
  payload: Buffer;
  functionArn: string;
  timeoutMs: number;
  clientContext?: string;
  /** the Lambda-Runtime-Trace-Id header (tracing.ts), when the invocation is traced */
  traceHeader?: string;
  /** where a response-streaming invocation's chunks go as the runtime writes them (streaming.ts) */
  stream?: StreamSink;
}

/** The receiver of a streamed response's chunks (the runtime's `streaming` response mode). */
export interface StreamSink {
  /** the response's content type, before the first chunk */
  open?(contentType: string | undefined): void;
  chunk(data: Buffer): void;
}

export interface InvocationResult {
  payload: Buffer;
  /** 'Unhandled' when the function failed */
  functionError?: string;
  /** the function's own output during the invocation (lines, newline-terminated) */
  output: string;
  durationMs: number;
  maxMemoryMb: number;
  /** the environment is gone after this invocation (timeout, crash, init error) */
  fatal: boolean;
  /** what ended it, when the platform did (Sandbox.Timedout, Runtime.OutOfMemory, Runtime.ExitError): the REPORT line's status */
  platformError?: string;
}

interface Pending extends InvocationRequest {
  resolve(r: InvocationResult): void;
  /** when the runtime got the event (the timeout counts from there), else when it was queued */
  startedAt: number;
  delivered?: boolean;
  output: string[];
  timer?: NodeJS.Timeout;
  /** what the runtime posted, waiting for the output marker */
  outcome?: { payload: Buffer; error: boolean };
  marked: boolean;
}

export interface SpawnSpec {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** the bootstrap prints a marker after each invocation's output (Nimbus's own bootstraps) */
  marks: boolean;
  tmpDir: string;
  /** the function's MemorySize: resident memory past it is an out-of-memory kill */
  memoryMb: number;
  /** when (virtual epoch ms) the execution role's credentials given to the process expire */
  credentialsExpireAt?: number;
}

const MARK = '\u0000NIMBUS-DONE ';
/** AWS's limit on the init phase; a longer init is retried inside the invocation, under its timeout */
const INIT_LIMIT_MS = 10_000;
/** how often a running invocation's resident memory is read */
const MEMORY_POLL_MS = 25;

export class Environment {
  proc?: ChildProcess;
  state: 'starting' | 'idle' | 'busy' | 'dead' = 'starting';
  lastUsed = Date.now();
  initDurationMs?: number;
  credentialsExpireAt?: number;
  private readonly spawnedAt = Date.now();
  private waitingNext?: ServerResponse;
  private current?: Pending;
  private initError?: Buffer;
  private partial = '';
  private exitText = '';

  constructor(
    readonly id: string,
    readonly key: string,
    readonly functionKey: string,
    readonly logStream: string,
    readonly listener: Server,
    readonly port: number,
  ) {}

  start(spec: SpawnSpec): void {
    mkdirSync(spec.tmpDir, { recursive: true });
    const proc = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    const take = (c: Buffer) => this.take(c.toString());
    proc.stdout!.on('data', take);
    proc.stderr!.on('data', take);
    proc.on('error', (e) => {
      this.exitText = `fork/exec ${spec.command}: ${e.message}`;
      this.onExit(null, null);
    });
    proc.on('exit', (code, signal) => this.onExit(code, signal));
    if (!spec.marks) this.noMarks = true;
    this.tmpDir = spec.tmpDir;
    this.memoryMb = spec.memoryMb;
    this.credentialsExpireAt = spec.credentialsExpireAt;
  }

  private noMarks = false;
  private tmpDir = '';
  private memoryMb = Infinity;
  /** the highest resident memory seen (MB): the process may be gone when the REPORT line is written */
  private peakMb = 0;
  private watch?: NodeJS.Timeout;
  private outOfMemory = false;

  /** While an invocation runs: past MemorySize, the process is killed (AWS: "signal: killed", Runtime.OutOfMemory). */
  private watchMemory(on: boolean): void {
    clearInterval(this.watch);
    this.watch = undefined;
    if (!on || !Number.isFinite(this.memoryMb)) return;
    this.watch = setInterval(() => {
      const rss = this.readStatus(/VmRSS:\s+(\d+) kB/);
      this.peakMb = Math.max(this.peakMb, rss);
      if (rss > this.memoryMb && this.state !== 'dead') {
        this.outOfMemory = true;
        this.watchMemory(false);
        this.proc?.kill('SIGKILL');
      }
    }, MEMORY_POLL_MS);
    this.watch.unref();
  }

  /** Runs one invocation; resolves when the runtime answered and its output is in. */
  invoke(req: InvocationRequest): Promise<InvocationResult> {
    this.state = 'busy';
    return new Promise((resolve) => {
      const p: Pending = { ...req, resolve, startedAt: Date.now(), output: [], marked: false };
      this.current = p;
      // until the runtime asks for the event (a cold start's init), AWS's init limit, then the timeout
      this.arm(p, INIT_LIMIT_MS + req.timeoutMs);
      this.watchMemory(true);
      if (this.initError) this.finishInitError();
      else if (this.waitingNext) this.deliver();
    });
  }

  // ---- the Runtime API calls of this environment's process ----

  next(res: ServerResponse): void {
    if (this.initDurationMs === undefined) this.initDurationMs = Date.now() - this.spawnedAt;
    this.waitingNext = res;
    if (this.current && !this.current.outcome && this.state === 'busy') this.deliver();
  }

  respond(requestId: string, payload: Buffer, error: boolean): boolean {
    const p = this.current;
    if (!p || p.requestId !== requestId || p.outcome) return false;
    p.outcome = { payload, error };
    if (p.marked || this.noMarks) setImmediate(() => this.complete(p));
    return true;
  }

  /** The sink of the invocation a streamed response belongs to (undefined: not the current one). */
  sinkFor(requestId: string): StreamSink | undefined | false {
    const p = this.current;
    if (!p || p.requestId !== requestId || p.outcome) return false;
    return p.stream;
  }

  initFailed(body: Buffer): void {
    this.initError = body;
    if (this.current) this.finishInitError();
  }

  kill(): void {
    if (this.state !== 'dead') this.state = 'dead';
    this.watchMemory(false);
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
    this.waitingNext?.destroy();
    this.waitingNext = undefined;
    this.listener.close();
    if (this.tmpDir) rmSync(this.tmpDir, { recursive: true, force: true });
  }

  private arm(p: Pending, ms: number): void {
    clearTimeout(p.timer);
    p.timer = setTimeout(() => this.fail(p, 'Sandbox.Timedout', `Task timed out after ${(p.timeoutMs / 1000).toFixed(2)} seconds`), ms);
  }

  private deliver(): void {
    const p = this.current!;
    const res = this.waitingNext!;
    this.waitingNext = undefined;
    // the invocation's time starts when its runtime has the event, as the function's Duration does
    if (!p.delivered) {
      p.delivered = true;
      p.startedAt = Date.now();
      this.arm(p, p.timeoutMs);
    }
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Aws-Request-Id': p.requestId,
      'Lambda-Runtime-Deadline-Ms': String(p.startedAt + p.timeoutMs),
      'Lambda-Runtime-Invoked-Function-Arn': p.functionArn,
      'Lambda-Runtime-Trace-Id':
        p.traceHeader ?? `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${p.requestId.replace(/-/g, '').slice(0, 24)};Sampled=0`,
    };
    if (p.clientContext) headers['Lambda-Runtime-Client-Context'] = Buffer.from(p.clientContext, 'base64').toString();
    res.writeHead(200, headers);
    res.end(p.payload);
  }

  private take(text: string): void {
    this.exitText = (this.exitText + text).slice(-2000);
    const p = this.current;
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop()!;
    for (const line of lines) {
      if (line.startsWith(MARK)) {
        if (p && line.slice(MARK.length) === p.requestId) {
          p.marked = true;
          if (p.outcome) this.complete(p);
        }
        continue;
      }
      if (p) p.output.push(line + '\n');
    }
  }

  private complete(p: Pending): void {
    if (this.current !== p) return;
    clearTimeout(p.timer);
    this.watchMemory(false);
    this.current = undefined;
    if (this.partial) {
      p.output.push(this.partial + '\n');
      this.partial = '';
    }
    this.state = this.state === 'dead' ? 'dead' : 'idle';
    this.lastUsed = Date.now();
    const { payload, error } = p.outcome!;
    p.resolve({
      payload,
      functionError: error ? 'Unhandled' : undefined,
      output: p.output.join(''),
      durationMs: Date.now() - p.startedAt,
      maxMemoryMb: this.maxMemoryMb(),
      fatal: false,
    });
  }

  private finishInitError(): void {
    const p = this.current!;
    clearTimeout(p.timer);
    this.watchMemory(false);
    this.current = undefined;
    // the process exits after reporting; what it printed before belongs to this invocation
    setTimeout(() => {
      if (this.partial) p.output.push(this.partial + '\n');
      this.kill();
      p.resolve({
        payload: this.initError!,
        functionError: 'Unhandled',
        output: p.output.join(''),
        durationMs: Date.now() - p.startedAt,
        maxMemoryMb: 0,
        fatal: true,
      });
    }, 20);
  }

  /** Ends the invocation with a platform error (timeout, crash), killing the process. */
  private fail(p: Pending, errorType: string, message: string): void {
    if (this.current !== p) return;
    clearTimeout(p.timer);
    this.current = undefined;
    const mem = this.maxMemoryMb();
    this.kill();
    const line = `${new Date().toISOString()} ${p.requestId} ${message}\n`;
    if (this.partial) p.output.push(this.partial + '\n');
    p.output.push(errorType === 'Sandbox.Timedout' ? line : '');
    const payload = Buffer.from(JSON.stringify({ errorType, errorMessage: `RequestId: ${p.requestId} Error: ${message}` }));
    p.resolve({
      payload,
      functionError: 'Unhandled',
      output: p.output.join(''),
      durationMs: Date.now() - p.startedAt,
      maxMemoryMb: mem,
      fatal: true,
      platformError: errorType,
    });
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const wasDead = this.state === 'dead';
    this.state = 'dead';
    const p = this.current;
    if (!p || wasDead) {
      this.kill();
      return;
    }
    if (this.initError) return; // finishInitError answers
    const oom = this.outOfMemory || /heap out of memory|MemoryError|Allocation failed/.test(this.exitText);
    const reason = signal ? `signal: ${signal === 'SIGKILL' ? 'killed' : signal.toLowerCase()}` : `exit status ${code}`;
    // let the last output arrive before answering
    setTimeout(() => {
      if (oom) this.fail(p, 'Runtime.OutOfMemory', `Runtime exited with error: ${reason}`);
      else this.fail(p, 'Runtime.ExitError', `Runtime exited with error: ${reason}`);
    }, 10);
  }

  /** The process's peak resident memory (MB), never more than MemorySize (AWS's cgroup caps it). */
  private maxMemoryMb(): number {
    return Math.min(this.memoryMb, Math.max(this.peakMb, this.readStatus(/VmHWM:\s+(\d+) kB/)));
  }

  /** A figure (kB) of /proc/<pid>/status, in MB; 0 once the process is gone. */
  private readStatus(field: RegExp): number {
    try {
      const m = field.exec(readFileSync(`/proc/${this.proc?.pid}/status`, 'latin1'));
      return m ? Math.ceil(Number(m[1]) / 1024) : 0;
    } catch {
      return 0;
    }
  }
}
