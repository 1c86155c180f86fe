// Configuration from flags and environment. Flags win over the environment; Nimbus's own
// variables win over LocalStack's (GATEWAY_LISTEN, PERSISTENCE, ENFORCE_IAM, DEBUG, SERVICES,
// LOCALSTACK_HOST, DEFAULT_REGION…), which are honoured so LocalStack users can switch without
// changing their setup.
import { parseArgs } from 'node:util';
import { LEVELS, type LogLevel } from './log.js';

export const SQS_STRATEGIES = ['off', 'standard', 'domain', 'path'] as const;
export type SqsEndpointStrategy = (typeof SQS_STRATEGIES)[number];

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
  /** the services to serve (SERVICES); all when absent */
  services?: string[];
  /** `host[:port]` put in the URLs Nimbus returns (LOCALSTACK_HOST); the request's Host when absent */
  localstackHost?: string;
  /** how SQS queue URLs are built (SQS_ENDPOINT_STRATEGY); `off` (the request's host) when absent */
  sqsEndpointStrategy?: SqsEndpointStrategy;
  /** `json`: one JSON object per log line */
  logFormat?: 'text' | 'json';
  /** run init hooks from <dataDir>/init and /etc/localstack/init (the command line does; embedding does not) */
  initHooks?: boolean;
  /** where init hooks are looked for, in order (defaults: <dataDir>/init, /etc/localstack/init) */
  initDirs?: string[];
}

export const HELP = `Usage: nimbus [options]
       nimbus aws <aws cli arguments>      run the AWS CLI against Nimbus (like awslocal)

Nimbus: the AWS cloud on one machine. Point the AWS CLI, SDKs or boto3 at it:
  aws --endpoint-url http://127.0.0.1:4566 sts get-caller-identity
  nimbus aws s3 ls                          (the same with endpoint, test credentials and region set)

Network (environment variable in brackets):
  --host <addr>        address to listen on (NIMBUS_HOST, default 127.0.0.1)
  --port <n>           port to listen on; 0 picks a free one (NIMBUS_PORT, default 4566)

State:
  --data-dir <dir>     where state is persisted (NIMBUS_DATA_DIR, default ./.nimbus)
  --ephemeral          keep state in memory only (NIMBUS_EPHEMERAL=1)
  --fsync              fsync each write before acknowledging it (NIMBUS_FSYNC=1)

Services:
  --services <list>    serve only these, comma-separated: s3,sqs (NIMBUS_SERVICES; default all)
  --region <name>      region of requests that name none (NIMBUS_DEFAULT_REGION, default us-east-1)
  --enforce-iam        reject unknown access keys and verify every signature (NIMBUS_ENFORCE_IAM=1)

Logging:
  --log-level <level>  debug | info | warn | error | silent (NIMBUS_LOG_LEVEL, default info)
  --log-format <fmt>   text | json: one JSON object per line (NIMBUS_LOG_FORMAT, default text)

Other:
  -v, --version        print the version
  -h, --help           show this help

LocalStack compatibility (used when the NIMBUS_ variables are not set):
  GATEWAY_LISTEN=<host>:<port>   where to listen      PERSISTENCE=0|1      state on disk or not
  SERVICES=s3,sqs                what to serve        DEBUG=1              log level debug
  DEFAULT_REGION, AWS_DEFAULT_REGION                  ENFORCE_IAM=1
  LOCALSTACK_HOST=<host>[:<port>]  host put in returned URLs (queue URLs, S3 locations)
  SQS_ENDPOINT_STRATEGY=standard|domain|path|off  queue URL form (standard when LOCALSTACK_HOST is set)
  Init hooks: executable *.sh / *.py in <data-dir>/init/{boot,start,ready,shutdown}.d and
  /etc/localstack/init/…; "Ready." is printed on its own line once ready.d has run.

Admin API (never colliding with AWS paths):
  GET  /_nimbus/health   status of Nimbus and of each service
  POST /_nimbus/reset    forget all state
  GET  /_nimbus/clock    the virtual clock
  POST /_nimbus/clock    advance it: {"advance": "8d"} (units ms, s, m, h, d; a number is seconds)
  GET  /_localstack/health, /_localstack/init, /_localstack/init/<stage>, /_localstack/info
`;

const truthy = (v: string | undefined) => v !== undefined && ['1', 'true', 'yes', 'on'].includes(v.toLowerCase());

export class ConfigError extends Error {}

/** Defaults for what a caller leaves out (the embedding API, tests). */
export function defaultConfig(): Config {
  return {
    host: '127.0.0.1',
    port: 4566,
    dataDir: './.nimbus',
    ephemeral: false,
    enforceIam: false,
    logLevel: 'info',
    fsync: false,
    defaultRegion: 'us-east-1',
  };
}

/** `a, b,c` → ['a', 'b', 'c']; empty → undefined (all) */
export function serviceList(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const list = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  return list.length ? list : undefined;
}

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
        'log-format': { type: 'string' },
        services: { type: 'string' },
        region: { type: 'string' },
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

  const format = (values['log-format'] ?? env.NIMBUS_LOG_FORMAT ?? 'text').toLowerCase();
  if (format !== 'text' && format !== 'json') throw new ConfigError(`invalid log format: ${format} (text or json)`);

  let ephemeral = values.ephemeral ?? false;
  if (values.ephemeral === undefined) {
    if (env.NIMBUS_EPHEMERAL !== undefined) ephemeral = truthy(env.NIMBUS_EPHEMERAL);
    else if (env.PERSISTENCE !== undefined) ephemeral = !truthy(env.PERSISTENCE);
  }

  const localstackHost = env.LOCALSTACK_HOST?.trim() || undefined;
  const strategyText = env.SQS_ENDPOINT_STRATEGY?.trim().toLowerCase() || (localstackHost ? 'standard' : 'off');
  if (!(SQS_STRATEGIES as readonly string[]).includes(strategyText)) {
    throw new ConfigError(`invalid SQS_ENDPOINT_STRATEGY: ${strategyText} (one of ${SQS_STRATEGIES.join(', ')})`);
  }

  const region = values.region ?? env.NIMBUS_DEFAULT_REGION ?? env.DEFAULT_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new ConfigError(`invalid region: ${region} (e.g. us-east-1)`);

  return {
    host: values.host ?? env.NIMBUS_HOST ?? lsHost ?? '127.0.0.1',
    port,
    dataDir: values['data-dir'] ?? env.NIMBUS_DATA_DIR ?? './.nimbus',
    ephemeral,
    enforceIam: values['enforce-iam'] ?? (env.NIMBUS_ENFORCE_IAM !== undefined ? truthy(env.NIMBUS_ENFORCE_IAM) : truthy(env.ENFORCE_IAM)),
    logLevel: level as LogLevel,
    fsync: values.fsync ?? truthy(env.NIMBUS_FSYNC),
    defaultRegion: region,
    services: serviceList(values.services ?? env.NIMBUS_SERVICES ?? env.SERVICES),
    localstackHost,
    sqsEndpointStrategy: strategyText as SqsEndpointStrategy,
    logFormat: format,
    initHooks: true,
  };
}
