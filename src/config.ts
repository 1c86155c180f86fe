// Configuration from flags and environment. Flags win over the environment; Nimbus's own
// variables win over LocalStack's (GATEWAY_LISTEN, PERSISTENCE, ENFORCE_IAM, DEBUG), which are
// honoured so LocalStack users can switch without changing their setup.
import { parseArgs } from 'node:util';
import { LEVELS, type LogLevel } from './log.js';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  ephemeral: boolean;
  enforceIam: boolean;
  logLevel: LogLevel;
  /** fsync every write (SQLite synchronous=FULL, blob files), for durability across power loss */
  fsync: boolean;
  /** region used for requests that carry none (unsigned requests) */
  defaultRegion: string;
}

export const HELP = `Usage: nimbus [options]

Nimbus: the AWS cloud on one machine. Point the AWS CLI, SDKs or boto3 at it:
  aws --endpoint-url http://127.0.0.1:4566 sts get-caller-identity

Options (environment variable in brackets):
  --host <addr>        address to listen on (NIMBUS_HOST, default 127.0.0.1)
  --port <n>           port to listen on; 0 picks a free one (NIMBUS_PORT, default 4566)
  --data-dir <dir>     where state is persisted (NIMBUS_DATA_DIR, default ./.nimbus)
  --ephemeral          keep state in memory only (NIMBUS_EPHEMERAL=1)
  --enforce-iam        reject unknown access keys and verify every signature (NIMBUS_ENFORCE_IAM=1)
  --log-level <level>  debug | info | warn | error | silent (NIMBUS_LOG_LEVEL, default info)
  --fsync              fsync each write before acknowledging it (NIMBUS_FSYNC=1)
  -h, --help           show this help

LocalStack compatibility: GATEWAY_LISTEN=<host>:<port>, PERSISTENCE=0|1, ENFORCE_IAM=1 and DEBUG=1
are honoured when the NIMBUS_ variables are not set.

Admin API (never colliding with AWS paths):
  GET  /_nimbus/health   status of Nimbus and of each service
  POST /_nimbus/reset    forget all state
  GET  /_nimbus/clock    the virtual clock
  POST /_nimbus/clock    advance it: {"advance": "8d"} (units ms, s, m, h, d; a number is seconds)
`;

const truthy = (v: string | undefined) => v !== undefined && ['1', 'true', 'yes', 'on'].includes(v.toLowerCase());

export class ConfigError extends Error {}

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): Config | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        ephemeral: { type: 'boolean' },
        'enforce-iam': { type: 'boolean' },
        'log-level': { type: 'string' },
        fsync: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  if (values.help) return 'help';

  // LocalStack's GATEWAY_LISTEN is host:port (possibly a comma-separated list: the first is used)
  let lsHost: string | undefined;
  let lsPort: string | undefined;
  if (env.GATEWAY_LISTEN) {
    const first = env.GATEWAY_LISTEN.split(',')[0].trim();
    const colon = first.lastIndexOf(':');
    lsHost = colon >= 0 ? first.slice(0, colon) || undefined : first;
    lsPort = colon >= 0 ? first.slice(colon + 1) : undefined;
  }

  const portText = values.port ?? env.NIMBUS_PORT ?? lsPort ?? '4566';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`invalid port: ${portText}`);

  const level = (values['log-level'] ?? env.NIMBUS_LOG_LEVEL ?? (truthy(env.DEBUG) ? 'debug' : 'info')).toLowerCase();
  if (!(LEVELS as readonly string[]).includes(level)) throw new ConfigError(`invalid log level: ${level} (one of ${LEVELS.join(', ')})`);

  let ephemeral = values.ephemeral ?? false;
  if (values.ephemeral === undefined) {
    if (env.NIMBUS_EPHEMERAL !== undefined) ephemeral = truthy(env.NIMBUS_EPHEMERAL);
    else if (env.PERSISTENCE !== undefined) ephemeral = !truthy(env.PERSISTENCE);
  }

  return {
    host: values.host ?? env.NIMBUS_HOST ?? lsHost ?? '127.0.0.1',
    port,
    dataDir: values['data-dir'] ?? env.NIMBUS_DATA_DIR ?? './.nimbus',
    ephemeral,
    enforceIam: values['enforce-iam'] ?? (env.NIMBUS_ENFORCE_IAM !== undefined ? truthy(env.NIMBUS_ENFORCE_IAM) : truthy(env.ENFORCE_IAM)),
    logLevel: level as LogLevel,
    fsync: values.fsync ?? truthy(env.NIMBUS_FSYNC),
    defaultRegion: env.NIMBUS_DEFAULT_REGION ?? 'us-east-1',
  };
}
