// LocalStack's own endpoints, so tools that wait on them (Testcontainers, CI scripts) see Nimbus:
// /_localstack/health, /_localstack/info, /_localstack/init and /_localstack/init/<stage>.
import { randomUUID } from 'node:crypto';
import type { Runtime } from '../runtime.js';
import { VERSION } from '../version.js';
import { STAGES, type InitHooks, type Stage } from './init.js';

export function registerLocalStackRoutes(rt: Runtime, hooks: InitHooks | undefined, started: number): void {
  const health = () => {
    const services: Record<string, string> = {};
    for (const name of [...rt.providers.keys()].sort()) services[name] = 'running';
    return {
      services,
      edition: 'community',
      version: VERSION,
      features: {
        initScripts: hooks?.completed.get('READY') ? 'initialized' : hooks ? 'running' : 'disabled',
        persistence: rt.engine.persistent ? 'enabled' : 'disabled',
      },
    };
  };
  rt.admin.route('GET /_localstack/health', () => ({ body: health() }));
  rt.admin.route('HEAD /_localstack/health', () => ({ body: health() }));

  const sessionId = randomUUID();
  rt.admin.route('GET /_localstack/info', () => ({
    body: {
      version: VERSION,
      edition: 'community',
      is_license_activated: false,
      session_id: sessionId,
      system: process.platform,
      is_docker: false,
      server_time_utc: rt.clock
        .now()
        .toISOString()
        .replace(/\.\d+Z$/, ''),
      uptime: Math.floor((Date.now() - started) / 1000),
    },
  }));

  const empty = { completed: Object.fromEntries(STAGES.map((s) => [s, false])), scripts: [] };
  rt.admin.route('GET /_localstack/init', () => ({ body: hooks?.report() ?? empty }));
  for (const stage of STAGES) {
    rt.admin.route(`GET /_localstack/init/${stage.toLowerCase()}`, () => ({
      body: hooks?.report(stage as Stage) ?? { completed: false, scripts: [] },
    }));
  }
}
