// query, ec2, json 1.0/1.1 and smithy-rpc-v2-cbor, checked against the SDK v3's own serializers and
// deserializers: each client gets a request handler that checks protocolFor picks the expected protocol,
// parses the request with it, checks the input, and answers with our serialize()/serializeError() output.
// No server involved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Decoder } from 'cbor-x';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { CreateUserCommand, GetUserCommand, IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { GetTopicAttributesCommand, PublishCommand, SetSubscriptionAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeTableCommand, DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CloudWatchClient,
  GetDashboardCommand,
  GetMetricDataCommand,
  ListMetricsCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
// the CloudWatch client speaks awsJson1_0 unless told otherwise; @aws-sdk/core comes with every client
import { AwsSmithyRpcV2CborProtocol } from '@aws-sdk/core/protocols';
import { loadModel } from '../../src/protocols/model.js';
import type { Protocol } from '../../src/protocols/types.js';
import { ec2, query } from '../../src/protocols/query.js';
import { json } from '../../src/protocols/json.js';
import { cbor } from '../../src/protocols/cbor.js';
import { protocolFor } from '../../src/gateway/identify.js';
import { ServiceError } from '../../src/services/errors.js';
import { answer, common, ctx, failWith, fakeAws, type Handler, plain, request, withoutMetadata } from '../protocol-harness.js';

const model = (name: string) => loadModel(name)!;
const endpoint = 'http://localhost:4566';
const client =
  <C>(Ctor: new (config: never) => C, svc: string, protocol: Protocol, extra: object = {}) =>
  (handler: Handler) =>
    new Ctor({ ...common, endpoint, ...extra, requestHandler: fakeAws(model(svc), protocol, handler) } as never);

const sts = client(STSClient, 'sts', query);
const iam = client(IAMClient, 'iam', query);
const sns = client(SNSClient, 'sns', query);
const ec2Client = client(EC2Client, 'ec2', ec2);
const dynamodb = client(DynamoDBClient, 'dynamodb', json);
const sqs = client(SQSClient, 'sqs', json);
const kms = client(KMSClient, 'kms', json);
const cloudwatch = client(CloudWatchClient, 'cloudwatch', cbor, { protocol: AwsSmithyRpcV2CborProtocol });
const cloudwatchJson = client(CloudWatchClient, 'cloudwatch', json);

/** Sends `sent` through the client, checks the parsed input, answers `output` and checks what the SDK decoded. */
async function roundTrip(make: (h: Handler) => { send(c: unknown): Promise<unknown> }, command: { input: object }, output: object) {
  const { seen, handler } = answer(output);
  const out = (await make(handler).send(command)) as { $metadata: { httpStatusCode?: number } };
  assert.equal(seen.operation, command.constructor.name.replace(/Command$/, ''));
  assert.deepEqual(seen.input, command.input);
  assert.equal(out.$metadata.httpStatusCode, 200);
  assert.deepEqual(plain(withoutMetadata(out)), output);
  return out;
}

/** Runs `send` against a handler that throws `err`; returns the SDK's exception. */
async function sdkError(make: (h: Handler) => { send(c: unknown): Promise<unknown> }, command: object, err: ServiceError) {
  let caught: any;
  await assert.rejects(make(failWith(err)).send(command), (e: any) => {
    if (e?.code === 'ERR_ASSERTION') throw e; // a check in the request handler failed
    caught = e;
    return true;
  });
  return caught;
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const cborDecoder = new Decoder({ mapsAsObjects: true, useRecords: false });

// ---------------------------------------------------------------- query: STS, IAM, SNS

test('STS AssumeRole: lists of structures in (PolicyArns.member.N.arn, Tags.member.N.Key), timestamps out', async () => {
  await roundTrip(
    sts,
    new AssumeRoleCommand({
      RoleArn: 'arn:aws:iam::000000000000:role/r',
      RoleSessionName: 'session',
      DurationSeconds: 3600,
      PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }, { arn: 'arn:aws:iam::000000000000:policy/p' }],
      Tags: [
        { Key: 'team', Value: 'a b&c=d' },
        { Key: 'empty', Value: '' },
      ],
      TransitiveTagKeys: ['team'],
      Policy: '{"Version":"2012-10-17","Statement":[]}',
      ExternalId: 'ext-1',
      SourceIdentity: 'me',
      ProvidedContexts: [{ ProviderArn: 'arn:aws:iam::aws:contextProvider/IdentityCenter', ContextAssertion: 'abc' }],
    }),
    {
      Credentials: {
        AccessKeyId: 'ASIAEXAMPLE',
        SecretAccessKey: 's/e+c',
        SessionToken: 'tok<&>',
        Expiration: new Date('2030-01-02T03:04:05.123Z'),
      },
      AssumedRoleUser: { AssumedRoleId: 'AROAEXAMPLE:session', Arn: 'arn:aws:sts::000000000000:assumed-role/r/session' },
      PackedPolicySize: 6,
      SourceIdentity: 'me',
    },
  );
});

test('IAM CreateUser: Tags in, a nested structure with a timestamp out', async () => {
  await roundTrip(
    iam,
    new CreateUserCommand({
      UserName: 'alice',
      Path: '/eng/',
      PermissionsBoundary: 'arn:aws:iam::aws:policy/PowerUserAccess',
      Tags: [
        { Key: 'team', Value: 'eng' },
        { Key: 'cost-center', Value: '42' },
      ],
    }),
    {
      User: {
        Path: '/eng/',
        UserName: 'alice',
        UserId: 'AIDAEXAMPLE',
        Arn: 'arn:aws:iam::000000000000:user/eng/alice',
        CreateDate: new Date('2024-01-02T03:04:05Z'),
        Tags: [
          { Key: 'team', Value: 'eng' },
          { Key: 'cost-center', Value: '42' },
        ],
        PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: 'arn:aws:iam::aws:policy/PowerUserAccess' },
      },
    },
  );
});

test('IAM ListUsers: a list of structures, timestamps and IsTruncated out', async () => {
  await roundTrip(iam, new ListUsersCommand({ PathPrefix: '/eng/', Marker: 'm1', MaxItems: 2 }), {
    Users: [
      {
        Path: '/eng/',
        UserName: 'alice',
        UserId: 'AIDA1',
        Arn: 'arn:aws:iam::000000000000:user/eng/alice',
        CreateDate: new Date('2024-01-02T03:04:05Z'),
        PasswordLastUsed: new Date('2024-06-07T08:09:10.5Z'),
      },
      {
        Path: '/eng/',
        UserName: 'bob',
        UserId: 'AIDA2',
        Arn: 'arn:aws:iam::000000000000:user/eng/bob',
        CreateDate: new Date('2023-12-31T23:59:59Z'),
      },
    ],
    IsTruncated: true,
    Marker: 'm2',
  });
  // an empty list is still an (empty) list
  await roundTrip(iam, new ListUsersCommand({}), { Users: [], IsTruncated: false });
});

test('SNS Publish: a map in (MessageAttributes.entry.N.Name / .Value.*), blob values', async () => {
  await roundTrip(
    sns,
    new PublishCommand({
      TopicArn: 'arn:aws:sns:us-east-1:000000000000:t',
      Message: 'hello\nworld & <you>',
      Subject: 'subj',
      MessageGroupId: 'g',
      MessageAttributes: {
        color: { DataType: 'String', StringValue: 'blue' },
        count: { DataType: 'Number', StringValue: '42' },
        raw: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2, 250, 255]) },
      },
    }),
    { MessageId: 'm-1', SequenceNumber: '10000000000000000001' },
  );
});

test('SNS SetSubscriptionAttributes: no output', async () => {
  await roundTrip(
    sns,
    new SetSubscriptionAttributesCommand({
      SubscriptionArn: 'arn:aws:sns:us-east-1:000000000000:t:sub-1',
      AttributeName: 'FilterPolicy',
      AttributeValue: '{"color":["blue"]}',
    }),
    {},
  );
});

test('SNS GetTopicAttributes: a map out (<entry><key/><value/></entry>)', async () => {
  await roundTrip(sns, new GetTopicAttributesCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:t' }), {
    Attributes: {
      TopicArn: 'arn:aws:sns:us-east-1:000000000000:t',
      DisplayName: 'Mine & <yours>',
      SubscriptionsConfirmed: '3',
      Policy: '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"}}]}',
    },
  });
});

test("query errors: the model's query code, status and fault type", async () => {
  // NoSuchEntityException's query code is NoSuchEntity; a provider may throw either name
  for (const code of ['NoSuchEntityException', 'NoSuchEntity']) {
    const e = await sdkError(
      iam,
      new GetUserCommand({ UserName: 'nobody' }),
      new ServiceError(code, 'The user with name nobody cannot be found.'),
    );
    assert.equal(e.name, 'NoSuchEntityException');
    assert.equal(e.message, 'The user with name nobody cannot be found.');
    assert.equal(e.$metadata.httpStatusCode, 404);
    assert.equal(e.$fault, 'client');
    assert.equal(e.Error?.Code, 'NoSuchEntity');
    assert.equal(e.Error?.Type, 'Sender');
  }
  const res = query.serializeError(model('iam'), 'GetUser', new ServiceError('NoSuchEntityException', 'nope'), ctx('iam'));
  assert.equal(res.status, 404);
  assert.equal(
    res.body,
    '<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">' +
      '<Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>nope</Message></Error><RequestId>req-1</RequestId></ErrorResponse>',
  );

  // a code nothing like the shape name: SNS InvalidParameterValueException is ParameterValueInvalid
  const invalid = await sdkError(
    sns,
    new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:t', Message: 'm' }),
    new ServiceError('InvalidParameterValueException', 'Invalid parameter: Message too long'),
  );
  assert.equal(invalid.name, 'InvalidParameterValueException');
  assert.equal(invalid.Error?.Code, 'ParameterValueInvalid');
  assert.equal(invalid.$metadata.httpStatusCode, 400);

  // a server fault: Receiver, 500
  const failure = await sdkError(iam, new GetUserCommand({}), new ServiceError('ServiceFailureException', 'boom'));
  assert.equal(failure.name, 'ServiceFailureException');
  assert.equal(failure.Error?.Code, 'ServiceFailure');
  assert.equal(failure.Error?.Type, 'Receiver');
  assert.equal(failure.$metadata.httpStatusCode, 500);
  assert.equal(failure.$fault, 'server');

  // an error the model does not know keeps its code
  const unknown = await sdkError(
    sts,
    new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::000000000000:role/r', RoleSessionName: 's' }),
    new ServiceError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403),
  );
  assert.equal(unknown.name, 'InvalidClientTokenId');
  assert.equal(unknown.$metadata.httpStatusCode, 403);
});

// ---------------------------------------------------------------- ec2

test('EC2 DescribeInstances: Filter.N.Name / Filter.N.Value.M, InstanceId.N in', async () => {
  await roundTrip(
    ec2Client,
    new DescribeInstancesCommand({
      Filters: [
        { Name: 'instance-state-name', Values: ['running', 'stopped'] },
        { Name: 'tag:Name', Values: ['web server'] },
      ],
      InstanceIds: ['i-1', 'i-2'],
      DryRun: false,
      MaxResults: 10,
      NextToken: 'tok',
    }),
    { Reservations: [] },
  );
});

test('EC2 query names: capitalized locationName unless queryName says otherwise', () => {
  const body =
    'Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=instance-state-name&Filter.1.Value.1=running' +
    '&Filter.1.Value.2=stopped&Filter.2.Name=tag%3AName&Filter.2.Value.1=web&InstanceId.1=i-1&InstanceId.2=i-2&DryRun=true&MaxResults=5';
  const req = request('POST', '/', { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body);
  assert.equal(protocolFor(model('ec2'), req), ec2);
  assert.equal(ec2.resolveOperation(model('ec2'), req), 'DescribeInstances');
  assert.deepEqual(ec2.parse(model('ec2'), 'DescribeInstances', req), {
    Filters: [
      { Name: 'instance-state-name', Values: ['running', 'stopped'] },
      { Name: 'tag:Name', Values: ['web'] },
    ],
    InstanceIds: ['i-1', 'i-2'],
    DryRun: true,
    MaxResults: 5,
  });
  // nested lists: BlockDeviceMapping.N.Ebs.VolumeSize, TagSpecification.N.Tag.M.Key
  const run = request(
    'POST',
    '/',
    { 'content-type': 'application/x-www-form-urlencoded' },
    'Action=RunInstances&MinCount=1&MaxCount=1' +
      '&BlockDeviceMapping.1.DeviceName=%2Fdev%2Fxvda&BlockDeviceMapping.1.Ebs.VolumeSize=20&TagSpecification.1.ResourceType=instance' +
      '&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=web&SecurityGroupId.1=sg-1',
  );
  assert.deepEqual(ec2.parse(model('ec2'), 'RunInstances', run), {
    MinCount: 1,
    MaxCount: 1,
    BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20 } }],
    TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'web' }] }],
    SecurityGroupIds: ['sg-1'],
  });
});

const instance = {
  InstanceId: 'i-0123456789abcdef0',
  ImageId: 'ami-12345678',
  InstanceType: 'm5.large',
  KeyName: 'key',
  LaunchTime: new Date('2024-02-03T04:05:06Z'),
  State: { Code: 16, Name: 'running' },
  Monitoring: { State: 'disabled' },
  Placement: { AvailabilityZone: 'us-east-1a', Tenancy: 'default' },
  PrivateIpAddress: '10.0.0.5',
  EbsOptimized: false,
  EnaSupport: true,
  SourceDestCheck: true,
  Architecture: 'x86_64',
  RootDeviceType: 'ebs',
  RootDeviceName: '/dev/xvda',
  BlockDeviceMappings: [
    {
      DeviceName: '/dev/xvda',
      Ebs: { AttachTime: new Date('2024-02-03T04:05:07Z'), DeleteOnTermination: true, Status: 'attached', VolumeId: 'vol-1' },
    },
  ],
  SecurityGroups: [{ GroupId: 'sg-1', GroupName: 'default' }],
  Tags: [{ Key: 'Name', Value: 'web & api' }],
  MetadataOptions: { State: 'applied', HttpTokens: 'required', HttpPutResponseHopLimit: 2, HttpEndpoint: 'enabled' },
};

test('EC2 RunInstances: nested lists of structures in, a Reservation out', async () => {
  await roundTrip(
    ec2Client,
    new RunInstancesCommand({
      ImageId: 'ami-12345678',
      InstanceType: 'm5.large',
      MinCount: 1,
      MaxCount: 2,
      KeyName: 'key',
      ClientToken: 'token-1',
      SecurityGroupIds: ['sg-1', 'sg-2'],
      SecurityGroups: ['default'],
      UserData: Buffer.from('#!/bin/sh\necho hi').toString('base64'),
      BlockDeviceMappings: [
        { DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20, VolumeType: 'gp3', DeleteOnTermination: true, Encrypted: false } },
      ],
      TagSpecifications: [
        {
          ResourceType: 'instance',
          Tags: [
            { Key: 'Name', Value: 'web' },
            { Key: 'env', Value: 'prod' },
          ],
        },
      ],
      Monitoring: { Enabled: true },
      Placement: { AvailabilityZone: 'us-east-1a' },
      IamInstanceProfile: { Name: 'profile' },
      MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 },
      NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: 'subnet-1', AssociatePublicIpAddress: true, Groups: ['sg-1'] }],
    }),
    { ReservationId: 'r-1', OwnerId: '000000000000', Groups: [], Instances: [instance] },
  );
});

test('EC2 DescribeInstances: reservationSet/item/instancesSet/item out', async () => {
  const out = await roundTrip(ec2Client, new DescribeInstancesCommand({}), {
    Reservations: [
      {
        ReservationId: 'r-1',
        OwnerId: '000000000000',
        Instances: [instance, { ...instance, InstanceId: 'i-2', EbsOptimized: true, Tags: [] }],
      },
      { ReservationId: 'r-2', OwnerId: '000000000000', RequesterId: '123', Instances: [] },
    ],
    NextToken: 'next',
  });
  assert.ok(out);
  const xml = String(
    ec2.serialize(
      model('ec2'),
      'DescribeInstances',
      { Reservations: [{ ReservationId: 'r-1', Instances: [{ InstanceId: 'i-1', EbsOptimized: false }] }] },
      ctx('ec2'),
    ).body,
  );
  assert.equal(
    xml,
    '<?xml version="1.0" encoding="UTF-8"?>\n<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15"><requestId>req-1</requestId>' +
      '<reservationSet><item><reservationId>r-1</reservationId><instancesSet><item><ebsOptimized>false</ebsOptimized><instanceId>i-1</instanceId></item></instancesSet></item></reservationSet>' +
      '</DescribeInstancesResponse>',
  );
});

test('EC2 error: <Response><Errors><Error>, the code as the SDK error name', async () => {
  const e = await sdkError(
    ec2Client,
    new DescribeInstancesCommand({ InstanceIds: ['i-1'] }),
    new ServiceError('InvalidInstanceID.NotFound', "The instance ID 'i-1' does not exist"),
  );
  assert.equal(e.name, 'InvalidInstanceID.NotFound');
  assert.equal(e.message, "The instance ID 'i-1' does not exist");
  assert.equal(e.$metadata.httpStatusCode, 400);
  const res = ec2.serializeError(model('ec2'), 'DescribeInstances', new ServiceError('UnauthorizedOperation', 'no', 403), ctx('ec2'));
  assert.equal(res.status, 403);
  assert.equal(
    res.body,
    '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>no</Message></Error></Errors><RequestID>req-1</RequestID></Response>',
  );
});

// ---------------------------------------------------------------- json 1.0: DynamoDB, SQS

const item = {
  pk: { S: 'user#1' },
  n: { N: '1.50' },
  b: { B: Buffer.from([0, 159, 146, 150]) },
  t: { BOOL: true },
  z: { NULL: true },
  l: { L: [{ S: 'x' }, { N: '2' }, { L: [] }, { M: {} }] },
  m: { M: { inner: { BOOL: false }, deeper: { M: { b: { B: Buffer.from('hi') } } } } },
  ss: { SS: ['a', 'b'] },
  ns: { NS: ['1', '2.5'] },
  bs: { BS: [Buffer.from('one'), Buffer.from([255])] },
};

test('DynamoDB PutItem: AttributeValue unions with B, N, L, M, SS, NS, BS', async () => {
  await roundTrip(
    dynamodb,
    new PutItemCommand({
      TableName: 'users',
      Item: item,
      ConditionExpression: 'attribute_not_exists(#pk) OR #n < :n',
      ExpressionAttributeNames: { '#pk': 'pk', '#n': 'n' },
      ExpressionAttributeValues: { ':n': { N: '3' } },
      ReturnValues: 'ALL_OLD',
      ReturnConsumedCapacity: 'TOTAL',
    }),
    { Attributes: item, ConsumedCapacity: { TableName: 'users', CapacityUnits: 1.5 } },
  );
});

test('DynamoDB Query: Items and LastEvaluatedKey out', async () => {
  await roundTrip(
    dynamodb,
    new QueryCommand({
      TableName: 'users',
      IndexName: 'by-n',
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: 'user#1' } },
      Limit: 2,
      ScanIndexForward: false,
      ConsistentRead: true,
      ExclusiveStartKey: { pk: { S: 'user#0' }, n: { N: '0' } },
    }),
    {
      Items: [item, { pk: { S: 'user#1' }, n: { N: '-1e-7' } }],
      Count: 2,
      ScannedCount: 3,
      LastEvaluatedKey: { pk: { S: 'user#1' }, n: { N: '-1e-7' } },
    },
  );
});

test('DynamoDB DescribeTable: epoch-seconds timestamps out', async () => {
  await roundTrip(dynamodb, new DescribeTableCommand({ TableName: 'users' }), {
    Table: {
      TableName: 'users',
      TableStatus: 'ACTIVE',
      TableArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/users',
      TableId: 'id-1',
      CreationDateTime: new Date('2024-01-02T03:04:05.678Z'),
      ItemCount: 12,
      TableSizeBytes: 2 ** 40,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      ProvisionedThroughput: {
        ReadCapacityUnits: 0,
        WriteCapacityUnits: 0,
        NumberOfDecreasesToday: 0,
        LastIncreaseDateTime: new Date('2024-05-06T07:08:09Z'),
      },
      BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST', LastUpdateToPayPerRequestDateTime: new Date(1_700_000_000_123) },
      StreamSpecification: { StreamEnabled: false },
      DeletionProtectionEnabled: false,
    },
  });
  const body = JSON.parse(
    String(
      json.serialize(
        model('dynamodb'),
        'DescribeTable',
        { Table: { CreationDateTime: new Date('2024-01-02T03:04:05.678Z') } },
        ctx('dynamodb'),
      ).body,
    ),
  );
  assert.deepEqual(body, { Table: { CreationDateTime: 1704164645.678 } });
});

test('DynamoDB error: ConditionalCheckFailedException with its Item', async () => {
  const err = new ServiceError('ConditionalCheckFailedException', 'The conditional request failed', undefined, {
    Item: { pk: { S: 'user#1' }, b: { B: Buffer.from('x') } },
  });
  const e = await sdkError(
    dynamodb,
    new PutItemCommand({ TableName: 'users', Item: { pk: { S: 'user#1' } }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
    err,
  );
  assert.equal(e.name, 'ConditionalCheckFailedException');
  assert.equal(e.message, 'The conditional request failed');
  assert.equal(e.$metadata.httpStatusCode, 400);
  assert.deepEqual(plain(e.Item), { pk: { S: 'user#1' }, b: { B: Buffer.from('x') } });
  const res = json.serializeError(model('dynamodb'), 'PutItem', err, ctx('dynamodb'));
  assert.equal(res.headers['content-type'], 'application/x-amz-json-1.0');
  assert.deepEqual(JSON.parse(String(res.body)), {
    __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
    message: 'The conditional request failed',
    Item: { pk: { S: 'user#1' }, b: { B: 'eA==' } },
  });
});

// models/sqs.json carries, through models/overlay.json, the query names and error codes botocore's json model lost
const sqsOverlay = model('sqs');
const sqsWithOverlay = (h: Handler) => new SQSClient({ ...common, endpoint, requestHandler: fakeAws(sqsOverlay, json, h) as never });

const sendBody = 'hello ✓';
const sendMessage = () =>
  new SendMessageCommand({
    QueueUrl: 'http://localhost:4566/000000000000/q',
    MessageBody: sendBody,
    DelaySeconds: 5,
    MessageGroupId: 'g',
    MessageDeduplicationId: 'd',
    MessageAttributes: {
      color: { DataType: 'String', StringValue: 'blue' },
      blob: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3, 0, 255]) },
      price: { DataType: 'Number.float', StringValue: '1.25' },
    },
    MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-5759e988-bd862e3fe1be46a994272793' } },
  });
const sendMessageOutput = {
  MessageId: 'm-1',
  MD5OfMessageBody: md5(sendBody),
  MD5OfMessageAttributes: 'a'.repeat(32),
  SequenceNumber: '1',
};
const receiveMessage = () =>
  new ReceiveMessageCommand({
    QueueUrl: 'http://localhost:4566/000000000000/q',
    MaxNumberOfMessages: 10,
    WaitTimeSeconds: 20,
    VisibilityTimeout: 30,
    MessageAttributeNames: ['All'],
    MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
    ReceiveRequestAttemptId: 'a-1',
  });
const receiveMessageOutput = {
  Messages: [
    {
      MessageId: 'm-1',
      ReceiptHandle: 'rh/1+=',
      Body: 'one',
      MD5OfBody: md5('one'),
      Attributes: { SentTimestamp: '1700000000000', ApproximateReceiveCount: '1' },
      MD5OfMessageAttributes: 'b'.repeat(32),
      MessageAttributes: {
        blob: { DataType: 'Binary', BinaryValue: Buffer.from([9, 8, 7]) },
        s: { DataType: 'String', StringValue: 'v', StringListValues: ['x'] },
      },
    },
    { MessageId: 'm-2', ReceiptHandle: 'rh2', Body: '<two/>', MD5OfBody: md5('<two/>') },
  ],
};

test('SQS SendMessage (json, awsQueryCompatible): MessageAttributes with a BinaryValue blob', async () => {
  await roundTrip(sqs, sendMessage(), sendMessageOutput);
});

test('SQS ReceiveMessage: messages with system and user attributes out', async () => {
  await roundTrip(sqs, receiveMessage(), receiveMessageOutput);
});

test('SQS over json is unchanged by the query overlay', async () => {
  await roundTrip(sqsWithOverlay, sendMessage(), sendMessageOutput);
  await roundTrip(sqsWithOverlay, receiveMessage(), receiveMessageOutput);
  assert.equal(
    String(json.serialize(sqsOverlay, 'ReceiveMessage', { Messages: [{ Attributes: { SentTimestamp: '1' } }] }, ctx('sqs')).body),
    '{"Messages":[{"Attributes":{"SentTimestamp":"1"}}]}',
  );
});

test('SQS error: QueueDoesNotExist with x-amzn-query-error: AWS.SimpleQueueService.NonExistentQueue;Sender', async () => {
  const e = await sdkError(
    sqs,
    new SendMessageCommand({ QueueUrl: 'http://localhost:4566/000000000000/nope', MessageBody: 'x' }),
    new ServiceError('QueueDoesNotExist', 'The specified queue does not exist.'),
  );
  assert.equal(e.name, 'QueueDoesNotExist');
  assert.equal(e.Code, 'AWS.SimpleQueueService.NonExistentQueue');
});

test('SQS error (with the error-code overlay): the SDK surfaces QueueDoesNotExist, its Code the query code', async () => {
  // a provider may throw the shape name or the query code: the wire is the same
  for (const code of ['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue']) {
    const err = new ServiceError(code, 'The specified queue does not exist.');
    const e = await sdkError(
      sqsWithOverlay,
      new SendMessageCommand({ QueueUrl: 'http://localhost:4566/000000000000/nope', MessageBody: 'x' }),
      err,
    );
    assert.equal(e.name, 'QueueDoesNotExist');
    assert.equal(e.message, 'The specified queue does not exist.');
    assert.equal(e.Code, 'AWS.SimpleQueueService.NonExistentQueue');
    assert.equal(e.Type, 'Sender');
    assert.equal(e.$metadata.httpStatusCode, 400);
    const res = json.serializeError(sqsOverlay, 'SendMessage', err, ctx('sqs'));
    assert.equal(res.headers['x-amzn-query-error'], 'AWS.SimpleQueueService.NonExistentQueue;Sender');
    // botocore matches modelled exceptions by __type (its SQS model has no error codes)
    assert.equal(JSON.parse(String(res.body)).__type, 'com.amazonaws.sqs#QueueDoesNotExist');
    // the same error over the query protocol
    const xml = String(query.serializeError(sqsOverlay, 'SendMessage', err, ctx('sqs')).body);
    assert.match(xml, /<Error><Type>Sender<\/Type><Code>AWS.SimpleQueueService.NonExistentQueue<\/Code>/);
  }
});

// ---------------------------------------------------------------- SQS over query (AWS CLI v2 2.9, older SDKs)

const form = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
const sendMessageForm =
  'Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq&MessageBody=hello+world' +
  '&DelaySeconds=5&MessageAttribute.1.Name=color&MessageAttribute.1.Value.StringValue=blue&MessageAttribute.1.Value.DataType=String' +
  '&MessageAttribute.2.Name=blob&MessageAttribute.2.Value.BinaryValue=AQID&MessageAttribute.2.Value.DataType=Binary' +
  '&MessageAttribute.3.Name=list&MessageAttribute.3.Value.StringListValue.1=a&MessageAttribute.3.Value.StringListValue.2=b' +
  '&MessageAttribute.3.Value.DataType=String' +
  '&MessageSystemAttribute.1.Name=AWSTraceHeader&MessageSystemAttribute.1.Value.StringValue=Root%3D1-abc&MessageSystemAttribute.1.Value.DataType=String';
const sendMessageInput = {
  QueueUrl: 'http://localhost:4566/000000000000/q',
  MessageBody: 'hello world',
  DelaySeconds: 5,
  MessageAttributes: {
    color: { StringValue: 'blue', DataType: 'String' },
    blob: { BinaryValue: Buffer.from([1, 2, 3]), DataType: 'Binary' },
    list: { StringListValues: ['a', 'b'], DataType: 'String' },
  },
  MessageSystemAttributes: { AWSTraceHeader: { StringValue: 'Root=1-abc', DataType: 'String' } },
};

test('SQS over query: protocolFor picks query; the scalar members parse with the json model', () => {
  const sqsModel = model('sqs');
  const req = request('POST', '/', form, sendMessageForm);
  assert.equal(protocolFor(sqsModel, req), query);
  assert.equal(query.resolveOperation(sqsModel, req), 'SendMessage');
  const input = query.parse(sqsModel, 'SendMessage', req);
  assert.deepEqual(
    { QueueUrl: input.QueueUrl, MessageBody: input.MessageBody, DelaySeconds: input.DelaySeconds },
    { QueueUrl: sendMessageInput.QueueUrl, MessageBody: 'hello world', DelaySeconds: 5 },
  );
  // the json request of the same service still goes to json
  assert.equal(
    protocolFor(
      sqsModel,
      request('POST', '/', { 'x-amz-target': 'AmazonSQS.SendMessage', 'content-type': 'application/x-amz-json-1.0' }, '{}'),
    ),
    json,
  );
});

test('SQS over query: MessageAttribute.N.Name / .Value.* with the overlay on the json model', () => {
  assert.deepEqual(query.parse(model('sqs'), 'SendMessage', request('POST', '/', form, sendMessageForm)), sendMessageInput);
});

test('SQS over query (with the query overlay): the whole input parses, the output is what the query SDKs read', () => {
  assert.deepEqual(query.parse(sqsOverlay, 'SendMessage', request('POST', '/', form, sendMessageForm)), sendMessageInput);
  // AttributeName.N is AttributeNames, as query clients (which predate MessageSystemAttributeNames) mean it
  const receive = request(
    'POST',
    '/',
    form,
    'Action=ReceiveMessage&QueueUrl=q&AttributeName.1=All&MessageAttributeName.1=color' +
      '&MessageAttributeName.2=blob&MaxNumberOfMessages=10',
  );
  assert.deepEqual(query.parse(sqsOverlay, 'ReceiveMessage', receive), {
    QueueUrl: 'q',
    AttributeNames: ['All'],
    MessageAttributeNames: ['color', 'blob'],
    MaxNumberOfMessages: 10,
  });
  const xml = String(
    query.serialize(
      sqsOverlay,
      'ReceiveMessage',
      {
        Messages: [
          {
            MessageId: 'm-1',
            Body: 'b',
            Attributes: { SentTimestamp: '1' },
            MessageAttributes: { color: { StringValue: 'blue', StringListValues: ['x'], DataType: 'String' } },
          },
        ],
      },
      ctx('sqs'),
    ).body,
  );
  assert.equal(
    xml,
    '<?xml version="1.0" encoding="UTF-8"?>\n<ReceiveMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><ReceiveMessageResult>' +
      '<Message><MessageId>m-1</MessageId><Body>b</Body><Attribute><Name>SentTimestamp</Name><Value>1</Value></Attribute>' +
      '<MessageAttribute><Name>color</Name><Value><StringValue>blue</StringValue><StringListValue>x</StringListValue><DataType>String</DataType></Value></MessageAttribute>' +
      '</Message></ReceiveMessageResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></ReceiveMessageResponse>',
  );
});

// ---------------------------------------------------------------- json 1.1: KMS

test('KMS Encrypt: blob Plaintext in, blob CiphertextBlob out', async () => {
  await roundTrip(
    kms,
    new EncryptCommand({
      KeyId: 'alias/my-key',
      Plaintext: Buffer.from('secret ✓ \u0000'),
      EncryptionContext: { purpose: 'test', 'a b': 'c/d' },
      GrantTokens: ['g1'],
      EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    }),
    {
      CiphertextBlob: Buffer.from([1, 2, 3, 4, 250, 251, 252]),
      KeyId: 'arn:aws:kms:us-east-1:000000000000:key/k-1',
      EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    },
  );
  const res = json.serialize(model('kms'), 'Encrypt', { CiphertextBlob: Buffer.from('xyz') }, ctx('kms'));
  assert.equal(res.headers['content-type'], 'application/x-amz-json-1.1');
  assert.equal(res.body, '{"CiphertextBlob":"eHl6"}');
});

test('KMS error: NotFoundException', async () => {
  const e = await sdkError(
    kms,
    new EncryptCommand({ KeyId: 'alias/none', Plaintext: Buffer.from('x') }),
    new ServiceError('NotFoundException', 'Alias arn:aws:kms:us-east-1:000000000000:alias/none is not found.'),
  );
  assert.equal(e.name, 'NotFoundException');
  assert.equal(e.message, 'Alias arn:aws:kms:us-east-1:000000000000:alias/none is not found.');
  assert.equal(e.$metadata.httpStatusCode, 400);
  assert.equal(e.$fault, 'client');
  const res = json.serializeError(model('kms'), 'Encrypt', new ServiceError('NotFoundException', 'nope'), ctx('kms'));
  assert.equal(res.headers['x-amzn-query-error'], undefined);
  assert.equal(res.headers['content-type'], 'application/x-amz-json-1.1');
  assert.deepEqual(JSON.parse(String(res.body)), { __type: 'NotFoundException', message: 'nope' });
  // a fault shape with no error status is a 500
  const internal = await sdkError(
    kms,
    new EncryptCommand({ KeyId: 'k', Plaintext: Buffer.from('x') }),
    new ServiceError('KMSInternalException', 'oops'),
  );
  assert.equal(internal.name, 'KMSInternalException');
  assert.equal(internal.$metadata.httpStatusCode, 500);
  assert.equal(internal.$fault, 'server');
});

// ---------------------------------------------------------------- smithy-rpc-v2-cbor: CloudWatch

test('CloudWatch PutMetricData: timestamps, doubles, dimensions, StatisticValues in', async () => {
  await roundTrip(
    cloudwatch,
    new PutMetricDataCommand({
      Namespace: 'App/Web',
      MetricData: [
        {
          MetricName: 'Latency',
          Dimensions: [
            { Name: 'Host', Value: 'a' },
            { Name: 'Stage', Value: 'prod' },
          ],
          Timestamp: new Date('2024-03-04T05:06:07.891Z'),
          Value: 12.75,
          Unit: 'Milliseconds',
          StorageResolution: 1,
        },
        {
          MetricName: 'Requests',
          Timestamp: new Date('2024-03-04T05:06:00Z'),
          StatisticValues: { SampleCount: 3, Sum: 6.5, Minimum: 0.5, Maximum: 4 },
          Values: [1, 2.5, -0.125],
          Counts: [1, 2, 3],
        },
      ],
      StrictEntityValidation: false,
    }),
    {},
  );
});

test('CloudWatch GetMetricData: a list of timestamps and a list of doubles out', async () => {
  await roundTrip(
    cloudwatch,
    new GetMetricDataCommand({
      MetricDataQueries: [
        {
          Id: 'm1',
          MetricStat: {
            Metric: { Namespace: 'App/Web', MetricName: 'Latency', Dimensions: [{ Name: 'Host', Value: 'a' }] },
            Period: 60,
            Stat: 'Average',
          },
          ReturnData: true,
        },
        { Id: 'e1', Expression: 'm1 * 2', Label: 'double' },
      ],
      StartTime: new Date('2024-03-04T00:00:00Z'),
      EndTime: new Date('2024-03-04T01:00:00.5Z'),
      ScanBy: 'TimestampDescending',
      MaxDatapoints: 100,
      LabelOptions: { Timezone: '+0130' },
    }),
    {
      MetricDataResults: [
        {
          Id: 'm1',
          Label: 'Latency',
          Timestamps: [new Date('2024-03-04T00:01:00Z'), new Date('2024-03-04T00:00:00.250Z')],
          Values: [12.75, 3],
          StatusCode: 'Complete',
        },
        {
          Id: 'e1',
          Label: 'double',
          Timestamps: [],
          Values: [],
          StatusCode: 'PartialData',
          Messages: [{ Code: 'MaxDatapoints', Value: 'truncated' }],
        },
      ],
      NextToken: 'next',
      Messages: [],
    },
  );
});

test('NaN and Infinity: CBOR floats, JSON strings', async () => {
  const input = { MetricDataQueries: [{ Id: 'm1' }], StartTime: new Date(0), EndTime: new Date(1000) };
  const output = { MetricDataResults: [{ Id: 'm1', Values: [NaN, Infinity, -Infinity, 0] }] };
  await roundTrip(cloudwatch, new GetMetricDataCommand(input), output);
  await roundTrip(cloudwatchJson, new GetMetricDataCommand(input), output);
  await roundTrip(
    cloudwatch,
    new PutMetricDataCommand({ Namespace: 'n', MetricData: [{ MetricName: 'm', Value: NaN, Values: [Infinity, -Infinity] }] }),
    {},
  );
  await roundTrip(
    cloudwatchJson,
    new PutMetricDataCommand({ Namespace: 'n', MetricData: [{ MetricName: 'm', Value: NaN, Values: [Infinity, -Infinity] }] }),
    {},
  );
  assert.equal(
    String(json.serialize(model('cloudwatch'), 'GetMetricData', output, ctx('cloudwatch')).body),
    '{"MetricDataResults":[{"Id":"m1","Values":["NaN","Infinity","-Infinity",0]}]}',
  );
  assert.deepEqual(
    cborDecoder.decode(cbor.serialize(model('cloudwatch'), 'GetMetricData', output, ctx('cloudwatch')).body as Buffer),
    output,
  );
});

test('CloudWatch ListMetrics: DimensionFilters in, Metrics out', async () => {
  await roundTrip(
    cloudwatch,
    new ListMetricsCommand({
      Namespace: 'App/Web',
      MetricName: 'Latency',
      Dimensions: [{ Name: 'Host', Value: 'a' }, { Name: 'Stage' }],
      RecentlyActive: 'PT3H',
      IncludeLinkedAccounts: true,
      OwningAccount: '111111111111',
      NextToken: 't',
    }),
    {
      Metrics: [
        {
          Namespace: 'App/Web',
          MetricName: 'Latency',
          Dimensions: [
            { Name: 'Host', Value: 'a' },
            { Name: 'Stage', Value: 'prod' },
          ],
        },
      ],
      OwningAccounts: ['111111111111'],
      NextToken: 'next',
    },
  );
});

test('CloudWatch errors: query-compatible header, the SDK error by query code', async () => {
  const notFound = await sdkError(
    cloudwatch,
    new GetDashboardCommand({ DashboardName: 'none' }),
    new ServiceError('ResourceNotFound', 'Dashboard none does not exist'),
  );
  assert.equal(notFound.name, 'ResourceNotFound');
  assert.equal(notFound.message, 'Dashboard none does not exist');
  assert.equal(notFound.$metadata.httpStatusCode, 404);
  assert.equal(notFound.Code, 'ResourceNotFound');
  assert.equal(notFound.Type, 'Sender');

  // InvalidParameterValueException's query code is InvalidParameterValue; a provider may throw either name
  for (const code of ['InvalidParameterValueException', 'InvalidParameterValue']) {
    const err = new ServiceError(code, 'The value -1 for parameter Period is not valid.');
    const e = await sdkError(cloudwatch, new ListMetricsCommand({}), err);
    assert.equal(e.name, 'InvalidParameterValueException');
    assert.equal(e.message, 'The value -1 for parameter Period is not valid.');
    assert.equal(e.Code, 'InvalidParameterValue');
    assert.equal(e.$metadata.httpStatusCode, 400);
    const res = cbor.serializeError(model('cloudwatch'), 'ListMetrics', err, ctx('cloudwatch'));
    assert.equal(res.headers['x-amzn-query-error'], 'InvalidParameterValue;Sender');
    assert.equal(res.headers['smithy-protocol'], 'rpc-v2-cbor');
    // __type is the Smithy shape ID, in the namespace the SDK registers CloudWatch's errors under
    assert.deepEqual(cborDecoder.decode(res.body as Buffer), {
      __type: 'com.amazonaws.cloudwatch#InvalidParameterValueException',
      message: err.message,
    });
  }

  const fault = await sdkError(cloudwatch, new ListMetricsCommand({}), new ServiceError('InternalServiceFault', 'oops'));
  assert.equal(fault.name, 'InternalServiceFault');
  assert.equal(fault.Code, 'InternalServiceError');
  assert.equal(fault.Type, 'Receiver');
  assert.equal(fault.$metadata.httpStatusCode, 500);
});

test('CloudWatch over json (the SDK v3 default): GetMetricData, errors by query code', async () => {
  await roundTrip(
    cloudwatchJson,
    new GetMetricDataCommand({
      MetricDataQueries: [{ Id: 'm1', MetricStat: { Metric: { Namespace: 'App', MetricName: 'Latency' }, Period: 60, Stat: 'p99' } }],
      StartTime: new Date('2024-03-04T00:00:00Z'),
      EndTime: new Date('2024-03-04T01:00:00.5Z'),
    }),
    { MetricDataResults: [{ Id: 'm1', Timestamps: [new Date('2024-03-04T00:01:00.25Z')], Values: [1.5], StatusCode: 'Complete' }] },
  );
  const e = await sdkError(cloudwatchJson, new ListMetricsCommand({}), new ServiceError('InvalidParameterValue', 'bad'));
  assert.equal(e.name, 'InvalidParameterValueException');
  assert.equal(e.Code, 'InvalidParameterValue');
  assert.equal(e.$metadata.httpStatusCode, 400);
});

test('CloudWatch over json and query: protocolFor follows the request', () => {
  const cw = model('cloudwatch');
  assert.equal(
    protocolFor(cw, request('POST', '/service/GraniteServiceVersion20100801/operation/ListMetrics', { 'smithy-protocol': 'rpc-v2-cbor' })),
    cbor,
  );
  assert.equal(protocolFor(cw, request('POST', '/', { 'x-amz-target': 'GraniteServiceVersion20100801.ListMetrics' }, '{}')), json);
  const q = request(
    'POST',
    '/',
    form,
    'Action=ListMetrics&Version=2010-08-01&Namespace=App&Dimensions.member.1.Name=Host&Dimensions.member.1.Value=a',
  );
  assert.equal(protocolFor(cw, q), query);
  assert.deepEqual(query.parse(cw, 'ListMetrics', q), { Namespace: 'App', Dimensions: [{ Name: 'Host', Value: 'a' }] });
});
