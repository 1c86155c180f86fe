// The package's public API: start a Nimbus inside a test process.
//   import { startNimbus } from 'nimbus';
//   const nimbus = await startNimbus({ ephemeral: true, port: 0 });
//   new S3Client({ endpoint: nimbus.endpoint, region: nimbus.region, credentials: nimbus.credentials, forcePathStyle: true });
import './startup.js';

export { startNimbus, TEST_CREDENTIALS } from './nimbus.js';
export type { NimbusOptions, RunningNimbus } from './nimbus.js';
export type { Config, SqsEndpointStrategy } from './config.js';
export type { LogLevel, LogFormat } from './log.js';
export { VERSION } from './version.js';
