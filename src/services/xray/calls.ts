// Calls made inside a sampled trace: an AWS SDK running in a traced function sends the trace header
// (X-Amzn-Trace-Id: Root=…;Parent=…;Sampled=1) with each request, as the SDKs' recursion-detection
// step does in Lambda. Nimbus records each such call as the `aws` subsegment an X-Ray SDK would have
// sent, so the service graph shows the function's downstream services without an X-Ray SDK.
import { randomBytes } from 'node:crypto';
import type { CallRecord, Runtime } from '../../kit.js';
import type { Put } from './retention.js';

const NAMES: Record<string, string> = {
  dynamodb: 'DynamoDB',
  s3: 'S3',
  sqs: 'SQS',
  sns: 'SNS',
  lambda: 'Lambda',
  kms: 'KMS',
  sts: 'STS',
  iam: 'IAM',
  events: 'EventBridge',
  logs: 'CloudWatchLogs',
  scheduler: 'Scheduler',
  cloudtrail: 'CloudTrail',
  dynamodbstreams: 'DynamoDBStreams',
  secretsmanager: 'SecretsManager',
  ssm: 'SSM',
};

const field = (header: string, name: string) => new RegExp(`(?:^|;)\\s*${name}=([^;]+)`).exec(header)?.[1];

/** The subsegment for a call made under a sampled trace header, or undefined. */
export function callSubsegment(call: CallRecord): string | undefined {
  const raw = call.headers['x-amzn-trace-id'];
  const header = Array.isArray(raw) ? raw[0] : raw;
  if (!header || call.service === 'xray' || field(header, 'Sampled') !== '1') return undefined;
  const root = field(header, 'Root');
  const parent = field(header, 'Parent');
  if (!root || !parent || !/^1-[0-9a-f]{8}-[0-9a-f]{24}$/.test(root) || !/^[0-9a-f]{16}$/.test(parent)) return undefined;
  const start = call.time.getTime() / 1000;
  const input = (call.input ?? {}) as Record<string, unknown>;
  const resource = Object.fromEntries(
    [
      ['table_name', input.TableName],
      ['queue_url', input.QueueUrl],
      ['bucket_name', input.Bucket],
      ['topic_arn', input.TopicArn],
      ['function_name', input.FunctionName],
    ].filter(([, v]) => typeof v === 'string'),
  );
  const status = call.status;
  return JSON.stringify({
    id: randomBytes(8).toString('hex'),
    trace_id: root,
    parent_id: parent,
    type: 'subsegment',
    name: NAMES[call.service] ?? call.service,
    namespace: 'aws',
    start_time: start,
    end_time: start + call.durationMs / 1000,
    aws: { operation: call.operation, region: call.region, request_id: call.requestId, ...resource },
    http: { response: { status } },
    ...(status === 429 ? { throttle: true, error: true } : status >= 500 ? { fault: true } : status >= 400 ? { error: true } : {}),
  });
}

export function recordTracedCalls(rt: Runtime, put: Put): void {
  rt.pipeline.onRecord((call) => {
    const doc = callSubsegment(call);
    if (doc) put(call.account, call.region, [doc]);
  });
}
