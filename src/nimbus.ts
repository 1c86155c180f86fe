// Starting and stopping a Nimbus in this process (used by main.ts, the tests and the benchmark).
import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import { Runtime } from './runtime.js';
import { createGateway } from './gateway/server.js';
import { services } from './services/registry.js';

export interface RunningNimbus {
  url: string;
  port: number;
  runtime: Runtime;
  stop(): Promise<void>;
}

export async function startNimbus(config: Config): Promise<RunningNimbus> {
  const runtime = new Runtime(config);
  const { server } = createGateway(runtime, services);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  runtime.endpoint = `http://${config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : host}:${port}`;
  const where = runtime.engine.persistent ? `state in ${config.dataDir}` : 'ephemeral state';
  runtime.log.notice(`Nimbus ready on ${url} (${where}${config.enforceIam ? ', IAM enforced' : ''})`);
  return {
    url,
    port,
    runtime,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          runtime.close();
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
