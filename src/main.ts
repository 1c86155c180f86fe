#!/usr/bin/env node
// nimbus: starts the gateway with the configuration from flags and environment; `nimbus aws …`
// runs the AWS CLI against it.
import './startup.js';
import { ConfigError, HELP, loadConfig, type Config } from './config.js';
import { startNimbus, type RunningNimbus } from './nimbus.js';
import { VERSION } from './version.js';
import { runAws } from './localstack/awslocal.js';

const argv = process.argv.slice(2);
if (argv[0] === 'aws') {
  process.exit(await runAws(argv.slice(1)));
}

if (argv.includes('--version') || argv.includes('-v')) {
  process.stdout.write(`nimbus ${VERSION}\n`);
  process.exit(0);
}

let config;
try {
  config = loadConfig(argv, process.env);
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  process.stderr.write(`nimbus: ${e.message}\n\n${HELP}`);
  process.exit(2);
}
if (config === 'help') {
  process.stdout.write(HELP);
  process.exit(0);
}

let nimbus: RunningNimbus;
try {
  nimbus = await startNimbus(config);
} catch (e) {
  if (e instanceof ConfigError) {
    process.stderr.write(`nimbus: ${e.message}\n`);
    process.exit(2);
  }
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL') {
    process.stderr.write(
      `nimbus: cannot listen on ${config.host}:${config.port}: ${err.code} (choose another with --port or GATEWAY_LISTEN)\n`,
    );
    process.exit(1);
  }
  throw e;
}

const where = nimbus.runtime.engine.persistent ? `state in ${config.dataDir}` : 'ephemeral state';
nimbus.runtime.log.notice(`Nimbus ready on ${nimbus.endpoint} (${where}${config.enforceIam ? ', IAM enforced' : ''})`);
if (config.logLevel !== 'silent')
  process.stdout.write(config.logFormat === 'json' ? `${JSON.stringify(bannerFields(config, nimbus))}\n` : banner(config, nimbus));
// the readiness line harnesses wait for (Testcontainers' LocalStack modules): after ready.d has run
process.stdout.write('Ready.\n');

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await nimbus.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

function bannerRows(c: Config, n: RunningNimbus): [string, string][] {
  const rows: [string, string][] = [
    ['endpoint', n.endpoint],
    ['data dir', c.ephemeral ? 'none (ephemeral: state in memory)' : c.dataDir],
    ['region', n.region],
    ['services', [...n.runtime.providers.keys()].join(', ')],
    ['console', `${n.endpoint}/_nimbus/console (to come)`],
    ['health', `${n.endpoint}/_localstack/health`],
  ];
  if (c.localstackHost) rows.push(['public host', `${c.localstackHost} (SQS URLs: ${c.sqsEndpointStrategy})`]);
  if (c.enforceIam) rows.push(['iam', 'enforced']);
  if (n.unserved.length) rows.push(['not served', n.unserved.join(', ')]);
  return rows;
}

function bannerFields(c: Config, n: RunningNimbus) {
  return {
    time: new Date().toISOString(),
    level: 'info',
    msg: 'Nimbus started',
    version: VERSION,
    ...Object.fromEntries(bannerRows(c, n)),
  };
}

function banner(c: Config, n: RunningNimbus): string {
  const lines = bannerRows(c, n).map(([k, v]) => `  ${k.padEnd(12)}${v}`);
  return `\nNimbus ${VERSION}: the AWS cloud on one machine\n${lines.join('\n')}\n  try: nimbus aws s3 ls   (credentials test/test)\n\n`;
}
