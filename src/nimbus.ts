// Starting and stopping a Nimbus in this process (used by main.ts, the embedding API, the tests and
// the benchmark). Start-up makes no network calls beyond listening: no DNS look-ups.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { defaultConfig, type Config } from './config.js';
import { Runtime } from './runtime.js';
import { createGateway } from './gateway/server.js';
import { services } from './services/registry.js';
import { modelIndex } from './protocols/model.js';
import { selectServices } from './localstack/services.js';
import { InitHooks } from './localstack/init.js';
import { registerLocalStackRoutes } from './localstack/health.js';
import { installOps } from './ops/routes.js';

/** What a caller may leave out: embedding defaults to a free port, memory-only state and warnings only. */
export type NimbusOptions = Partial<Config>;

/** The credentials Nimbus accepts from anyone (unless IAM is enforced): LocalStack's `test`/`test`. */
export const TEST_CREDENTIALS = Object.freeze({ accessKeyId: 'test', secretAccessKey: 'test' });

export interface RunningNimbus {
  /** `http://127.0.0.1:<port>`: the endpoint to give SDKs and CLIs */
  endpoint: string;
  /** the same as endpoint (older name) */
  url: string;
  port: number;
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
  /** the virtual clock: advance it to make expiries, retention and schedules due; `settled()` waits for the deliveries an advance started */
  clock: { advance(ms: number): Date; now(): Date; settled(): Promise<void> };
  /** services named in SERVICES that Nimbus does not serve (requests to them answer NotImplemented) */
  unserved: string[];
  runtime: Runtime;
  /** forgets all state (every service, issued credentials, the clock), keeping the server up */
  reset(): Promise<void>;
  /** runs shutdown hooks, closes the server and the state */
  stop(): Promise<void>;
}

/** Wildcard listen addresses are not where a client connects: it uses the loopback. */
function endpointHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startNimbus(options: NimbusOptions = {}): Promise<RunningNimbus> {
  const config: Config = { ...defaultConfig(), port: 0, ephemeral: true, logLevel: 'warn', ...stripUndefined(options) };
  const started = Date.now();
  const runtime = new Runtime(config);
  const index = modelIndex();
  const { selected, unserved } = selectServices(services, config.services, (name) => Object.hasOwn(index, name));
  if (unserved.length) runtime.log.warn(`not served by Nimbus (requests answer NotImplemented): ${unserved.join(', ')}`);

  const region = config.defaultRegion;
  let hooks: InitHooks | undefined;
  if (config.initHooks) {
    const dirs = config.initDirs ?? [join(config.dataDir, 'init'), '/etc/localstack/init'];
    hooks = new InitHooks(dirs, runtime.log, () => ({
      AWS_ENDPOINT_URL: runtime.endpoint || `http://${endpointHost(config.host)}:${config.port}`,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      AWS_DEFAULT_REGION: region,
      AWS_REGION: region,
    }));
    await hooks.run('BOOT');
  }

  let server: Server;
  try {
    ({ server } = createGateway(runtime, selected));
    registerLocalStackRoutes(runtime, hooks, started);
    installOps(runtime);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
  } catch (e) {
    runtime.close();
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  config.port = port; // the port it listens on, for URLs built from the configuration (port 0 asked for any)
  const endpoint = `http://${endpointHost(config.host)}:${port}`;
  runtime.endpoint = endpoint;
  if (hooks) {
    await hooks.run('START');
    await hooks.run('READY');
  }

  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    url: endpoint,
    port,
    credentials: { ...TEST_CREDENTIALS },
    region,
    clock: { advance: (ms) => runtime.clock.advance(ms), now: () => runtime.clock.now(), settled: () => runtime.clock.settled() },
    unserved,
    runtime,
    reset: async () => {
      runtime.reset();
      await runtime.engine.flush();
    },
    stop: () =>
      (stopping ??= (async () => {
        if (hooks) await hooks.run('SHUTDOWN');
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        runtime.close();
      })()),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
