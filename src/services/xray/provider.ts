// AWS X-Ray: trace segments (the API, the daemon's UDP endpoint, Lambda's Active tracing through
// rt.integrations.xray), trace summaries with filter expressions, trace and service graphs,
// sampling rules and targets, groups, encryption settings.
import type { XrayProvider } from '../../generated/xray.js';
import type { Runtime, ServiceDefinition } from '../../kit.js';
import { traceHandlers } from './traces.js';
import { samplingHandlers } from './sampling.js';
import { groupHandlers } from './groups.js';
import { retention } from './retention.js';
import { startDaemon } from './daemon.js';
import { recordTracedCalls } from './calls.js';

function create(rt: Runtime): XrayProvider {
  const { put, sweep } = retention(rt);
  rt.clock.onAdvance(() => {
    try {
      sweep();
    } catch (e) {
      rt.log.error(`xray retention: ${(e as Error).stack ?? e}`);
    }
  });
  recordTracedCalls(rt, put);
  const daemon = startDaemon(rt, put);
  rt.onClose(() => daemon.close());
  rt.integrations.xray = {
    putSegments: (account, region, docs) => put(account, region, docs).length,
    daemonAddress: () => daemon.address(),
  };
  rt.admin.route('GET /_nimbus/xray/daemon', () => {
    const address = daemon.address();
    return address
      ? { body: { address, host: '127.0.0.1', port: Number(address.split(':')[1]), protocol: 'udp' } }
      : { status: 503, body: { message: 'The X-Ray daemon endpoint is not listening.' } };
  });
  return { ...traceHandlers(rt, put), ...samplingHandlers(rt), ...groupHandlers(rt) };
}

export const xray: ServiceDefinition = { name: 'xray', create };
