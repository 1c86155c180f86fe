// What kind of event a call is for CloudTrail: data events (object- and item-level calls, which the
// event history never holds), read-only calls, the event source and the resources a call names.

/** Calls CloudTrail logs as data events: only trails that select them receive them. */
const DATA_EVENTS = new Set([
  ...[
    'GetObject',
    'PutObject',
    'DeleteObject',
    'DeleteObjects',
    'HeadObject',
    'CopyObject',
    'CreateMultipartUpload',
    'UploadPart',
    'UploadPartCopy',
    'CompleteMultipartUpload',
    'AbortMultipartUpload',
    'ListParts',
    'GetObjectAcl',
    'PutObjectAcl',
    'GetObjectTagging',
    'PutObjectTagging',
    'DeleteObjectTagging',
    'RestoreObject',
    'SelectObjectContent',
    'GetObjectAttributes',
    'GetObjectRetention',
    'PutObjectRetention',
    'GetObjectLegalHold',
    'PutObjectLegalHold',
    'ListObjects',
    'ListObjectsV2',
    'ListObjectVersions',
    'ListMultipartUploads',
    'PostObject',
  ].map((o) => `s3:${o}`),
  ...[
    'GetItem',
    'PutItem',
    'UpdateItem',
    'DeleteItem',
    'Query',
    'Scan',
    'BatchGetItem',
    'BatchWriteItem',
    'TransactGetItems',
    'TransactWriteItems',
    'ExecuteStatement',
    'BatchExecuteStatement',
    'ExecuteTransaction',
  ].map((o) => `dynamodb:${o}`),
  ...['GetRecords', 'GetShardIterator'].map((o) => `dynamodbstreams:${o}`),
  ...[
    'SendMessage',
    'SendMessageBatch',
    'ReceiveMessage',
    'DeleteMessage',
    'DeleteMessageBatch',
    'ChangeMessageVisibility',
    'ChangeMessageVisibilityBatch',
  ].map((o) => `sqs:${o}`),
  ...['Publish', 'PublishBatch'].map((o) => `sns:${o}`),
  'lambda:Invoke',
]);

export const isDataEvent = (service: string, operation: string) => DATA_EVENTS.has(`${service}:${operation}`);

const READ_ONLY =
  /^(Get|List|Describe|Head|Lookup|Query|Scan|BatchGet|Search|Check|Simulate|Decode|Decrypt|Encrypt|GenerateDataKey|GenerateRandom|GenerateMac|VerifyMac|Verify|Sign|ReEncrypt|Receive|Select|TransactGet)/;
export const isReadOnly = (operation: string) => READ_ONLY.test(operation);

const SOURCES: Record<string, string> = { cloudwatch: 'monitoring.amazonaws.com', dynamodbstreams: 'dynamodb.amazonaws.com' };
export const eventSource = (service: string) => SOURCES[service] ?? `${service}.amazonaws.com`;

/** S3 names some calls differently in CloudTrail than in its API. */
const EVENT_NAMES: Record<string, string> = { 's3:ListObjectsV2': 'ListObjects', 's3:HeadBucket': 'HeadBucket' };
export const eventName = (service: string, operation: string) => EVENT_NAMES[`${service}:${operation}`] ?? operation;

export interface EventResource {
  ResourceType: string;
  ResourceName: string;
}

/** The resources named by a call's input (and output, for what it created). */
export function resourcesOf(
  service: string,
  region: string,
  account: string,
  input: Record<string, unknown>,
  output: Record<string, unknown> | undefined,
): EventResource[] {
  const out: EventResource[] = [];
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const add = (type: string, name: string | undefined) => name && out.push({ ResourceType: type, ResourceName: name });
  switch (service) {
    case 's3':
      add('AWS::S3::Bucket', str(input.Bucket));
      if (str(input.Bucket) && str(input.Key)) add('AWS::S3::Object', `arn:aws:s3:::${input.Bucket}/${input.Key}`);
      break;
    case 'kms': {
      const md = (output?.KeyMetadata ?? {}) as Record<string, unknown>;
      const id = str(md.Arn) ?? str(output?.KeyId) ?? str(input.KeyId) ?? str(input.TargetKeyId);
      add('AWS::KMS::Key', id && !id.startsWith('arn:') && !id.startsWith('alias/') ? `arn:aws:kms:${region}:${account}:key/${id}` : id);
      break;
    }
    case 'sqs':
      add('AWS::SQS::Queue', str(input.QueueUrl) ?? str(output?.QueueUrl) ?? str(input.QueueName));
      break;
    case 'sns':
      add('AWS::SNS::Topic', str(input.TopicArn) ?? str(output?.TopicArn));
      break;
    case 'dynamodb':
      add('AWS::DynamoDB::Table', str(input.TableName));
      break;
    case 'iam':
      add('AWS::IAM::User', str(input.UserName));
      add('AWS::IAM::Role', str(input.RoleName));
      add('AWS::IAM::Policy', str(input.PolicyArn));
      break;
    case 'cloudtrail':
      add('AWS::CloudTrail::Trail', str(input.Name) ?? str(input.TrailName));
      break;
    case 'lambda':
      add('AWS::Lambda::Function', str(input.FunctionName));
      break;
  }
  return out;
}
