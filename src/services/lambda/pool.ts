// The execution environments of a runtime: warm ones reused per function version, more spawned when
// all are busy, idle ones reaped, all killed when the server stops. One HTTP server answers the
// Runtime API of every environment; each environment gets its own 127.0.0.1 port (a tiny listener
// that hands its connections to that server), so AWS_LAMBDA_RUNTIME_API is a plain host:port and
// a connection tells which environment calls.
import http from 'node:http';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Runtime } from '../../kit.js';
import { Environment, type SpawnSpec } from './environment.js';
import { streamedResponse } from './runtime-stream.js';

const MAX_RESPONSE = 6 * 1024 * 1024;
const IDLE_MS = Number(process.env.NIMBUS_LAMBDA_IDLE_SECONDS ?? 300) * 1000;
/** an environment is not reused when its role credentials would expire within the longest invocation (15 minutes) */
const CREDENTIALS_MARGIN_MS = 15 * 60_000;

type EnvSocket = net.Socket & { lambdaEnv?: Environment };

export class Pool {
  private readonly byKey = new Map<string, Environment[]>();
  private readonly server: http.Server;
  private readonly reaper: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly rt: Runtime) {
    this.server = http.createServer({ keepAlive: true }, (req, res) => this.handle(req, res));
    this.reaper = setInterval(() => this.reap(), Math.min(IDLE_MS, 30_000));
    this.reaper.unref();
    rt.onClose(() => this.close());
  }

  /** Busy environments of a function (all its versions): its current concurrency. */
  busy(functionKey: string): number {
    let n = 0;
    for (const envs of this.byKey.values()) for (const e of envs) if (e.functionKey === functionKey && e.state === 'busy') n++;
    return n;
  }

  /** Busy environments of every function whose key starts with a prefix (`account/region/`: the account's concurrency). */
  busyIn(prefix: string): number {
    let n = 0;
    for (const envs of this.byKey.values()) for (const e of envs) if (e.state === 'busy' && e.functionKey.startsWith(prefix)) n++;
    return n;
  }

  /** A warm idle environment for this configuration, else a new one started from `spec()`. */
  async acquire(
    key: string,
    functionKey: string,
    logStreamDate: string,
    version: string,
    spec: (env: { port: number; logStream: string; id: string }) => Promise<SpawnSpec>,
  ): Promise<{ env: Environment; cold: boolean }> {
    // an environment idle longer than Lambda keeps one on the virtual clock (an advance), or whose
    // credentials are about to expire, is replaced, as Lambda recycles its environments
    const now = this.rt.clock.nowMs();
    for (const e of this.byKey.get(key) ?? [])
      if (
        e.state === 'idle' &&
        (this.expiring(e, now) || (!this.provisioned.has(e) && now - this.rt.clock.toVirtual(e.lastUsed) > IDLE_MS))
      )
        this.drop(e);
    const envs = this.byKey.get(key) ?? [];
    const warm = envs.find((e) => e.state === 'idle');
    if (warm) {
      warm.state = 'busy';
      return { env: warm, cold: false };
    }
    return { env: await this.spawn(key, functionKey, logStreamDate, version, spec), cold: true };
  }

  /** A new environment for a configuration, busy until its caller says otherwise. */
  private async spawn(
    key: string,
    functionKey: string,
    logStreamDate: string,
    version: string,
    spec: (env: { port: number; logStream: string; id: string }) => Promise<SpawnSpec>,
  ): Promise<Environment> {
    const id = randomBytes(16).toString('hex');
    const listener = net.createServer((sock: EnvSocket) => {
      sock.lambdaEnv = env;
      this.server.emit('connection', sock);
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const port = (listener.address() as net.AddressInfo).port;
    const logStream = `${logStreamDate}/[${version}]${id}`;
    const env = new Environment(id, key, functionKey, logStream, listener, port);
    env.state = 'busy';
    this.byKey.set(key, [...(this.byKey.get(key) ?? []), env]);
    try {
      env.start(await spec({ port, logStream, id }));
    } catch (e) {
      this.drop(env);
      throw e;
    }
    if (this.closed) env.kill();
    return env;
  }

  /** environments kept warm by a provisioned concurrency config: never reaped while provisioned */
  private readonly provisioned = new WeakSet<Environment>();

  /**
   * Starts idle environments for a configuration until `count` provisioned ones are warm (provisioned
   * concurrency); with 0, the ones provisioned before become ordinary (reaped when idle).
   */
  async provision(
    key: string,
    functionKey: string,
    logStreamDate: string,
    version: string,
    count: number,
    spec: (env: { port: number; logStream: string; id: string }) => Promise<SpawnSpec>,
  ): Promise<void> {
    const mine = (this.byKey.get(key) ?? []).filter((e) => this.provisioned.has(e) && e.state !== 'dead');
    for (const e of mine.slice(count)) this.provisioned.delete(e);
    for (let n = mine.length; n < count && !this.closed; n++) {
      const env = await this.spawn(key, functionKey, logStreamDate, version, spec);
      this.provisioned.add(env);
      if (env.state === 'busy') env.state = 'idle';
    }
  }

  /** After an invocation: dead environments leave the pool. */
  release(env: Environment): void {
    if (env.state === 'dead') this.drop(env);
  }

  /** Ends the idle environments of a function whose configuration or code changed (or is deleted). */
  retire(functionKey: string, keepKey?: string): void {
    for (const envs of this.byKey.values()) {
      for (const e of envs) if (e.functionKey === functionKey && e.key !== keepKey && e.state === 'idle') this.drop(e);
    }
  }

  tmpDirFor(root: string, id: string): string {
    return join(root, 'tmp', id);
  }

  private drop(env: Environment): void {
    env.kill();
    const envs = (this.byKey.get(env.key) ?? []).filter((e) => e !== env);
    if (envs.length) this.byKey.set(env.key, envs);
    else this.byKey.delete(env.key);
  }

  private expiring(e: Environment, now: number): boolean {
    return e.credentialsExpireAt !== undefined && now > e.credentialsExpireAt - CREDENTIALS_MARGIN_MS;
  }

  private reap(): void {
    const now = Date.now();
    for (const envs of [...this.byKey.values()])
      for (const e of envs) if (e.state === 'idle' && !this.provisioned.has(e) && now - e.lastUsed > IDLE_MS) this.drop(e);
  }

  private close(): void {
    this.closed = true;
    clearInterval(this.reaper);
    for (const envs of this.byKey.values()) for (const e of envs) e.kill();
    this.byKey.clear();
    this.server.closeAllConnections();
    this.server.close();
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const env = (req.socket as EnvSocket).lambdaEnv;
    const url = req.url ?? '';
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (!env) return reply(404, { errorMessage: 'unknown environment', errorType: 'InvalidRequestID' });
    if (req.method === 'GET' && url === '/2018-06-01/runtime/invocation/next') return env.next(res);
    if (req.headers['lambda-runtime-function-response-mode'] === 'streaming') return streamedResponse(env, req, res, MAX_RESPONSE);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_RESPONSE + 1024) chunks.push(c);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method === 'POST' && url === '/2018-06-01/runtime/init/error') {
        env.initFailed(
          body.length
            ? body
            : Buffer.from(
                JSON.stringify({ errorType: req.headers['lambda-runtime-function-error-type'] ?? 'Runtime.Unknown', errorMessage: '' }),
              ),
        );
        return reply(202, { status: 'OK' });
      }
      const m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
      if (req.method !== 'POST' || !m) return reply(404, { errorMessage: 'Not found', errorType: 'InvalidRequest' });
      let payload = body;
      let error = m[2] === 'error';
      if (!error && size > MAX_RESPONSE) {
        payload = Buffer.from(
          JSON.stringify({
            errorMessage: `Response payload size (${size} bytes) exceeded maximum allowed payload size (${MAX_RESPONSE} bytes).`,
            errorType: 'Function.ResponseSizeTooLarge',
          }),
        );
        error = true;
      }
      if (error && !payload.length)
        payload = Buffer.from(
          JSON.stringify({ errorType: req.headers['lambda-runtime-function-error-type'] ?? 'Unhandled', errorMessage: '' }),
        );
      if (!env.respond(decodeURIComponent(m[1]), payload, error))
        return reply(400, { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' });
      reply(202, { status: 'OK' });
    });
  }
}

export const poolOf = (rt: Runtime) => rt.shared('lambda/pool', () => new Pool(rt));
