#!/usr/bin/env node
// nimbus: starts the gateway with the configuration from flags and environment.
import './startup.js';
import { ConfigError, HELP, loadConfig } from './config.js';
import { startNimbus } from './nimbus.js';

let config;
try {
  config = loadConfig(process.argv.slice(2), process.env);
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  process.stderr.write(`nimbus: ${e.message}\n\n${HELP}`);
  process.exit(2);
}
if (config === 'help') {
  process.stdout.write(HELP);
  process.exit(0);
}

const nimbus = await startNimbus(config);
const stop = async () => {
  await nimbus.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
