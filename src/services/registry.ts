// The services Nimbus serves. Adding one: a folder under src/services/<name>/ and a line here.
import type { ServiceDefinition } from '../runtime.js';
import { sts } from './sts/provider.js';
import { dynamodb } from './dynamodb/provider.js';
import { dynamodbstreams } from './dynamodbstreams/provider.js';
import { sqs } from './sqs/provider.js';
import { s3 } from './s3/provider.js';
import { sns } from './sns/provider.js';
import { events } from './events/provider.js';
import { logs } from './logs/provider.js';
import { iam } from './iam/provider.js';
import { kms } from './kms/provider.js';
import { cloudtrail } from './cloudtrail/provider.js';
import { lambda } from './lambda/provider.js';
import { scheduler } from './scheduler/provider.js';
import { xray } from './xray/provider.js';
import { cloudwatch } from './cloudwatch/provider.js';
import { schemas } from './schemas/provider.js';
import { ec2 } from './ec2/provider.js';
import { elbv2 } from './elbv2/provider.js';
import { autoscaling } from './autoscaling/provider.js';
import { ssm } from './ssm/provider.js';

export const services: ServiceDefinition[] = [
  sts,
  s3,
  sqs,
  dynamodb,
  dynamodbstreams,
  sns,
  events,
  logs,
  iam,
  kms,
  cloudtrail,
  lambda,
  scheduler,
  xray,
  cloudwatch,
  schemas,
  ec2,
  elbv2,
  autoscaling,
  ssm,
];

/** service → its implemented operation names, for docs/coverage.md (providers built on a throwaway in-memory runtime). */
export async function implementedOperations(): Promise<Record<string, string[]>> {
  const { Runtime } = await import('../runtime.js');
  const rt = new Runtime({
    host: '127.0.0.1',
    port: 0,
    dataDir: '',
    ephemeral: true,
    enforceIam: false,
    logLevel: 'silent',
    fsync: false,
    defaultRegion: 'us-east-1',
  });
  try {
    return Object.fromEntries(services.map((s) => [s.name, Object.keys(s.create(rt)).sort()]));
  } finally {
    rt.close();
  }
}
