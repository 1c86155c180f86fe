// How services reach each other inside the process: each service provides its part of this
// interface when created (rt.integrations.sqs = …), and callers use it only if present. No service
// imports another service's internals.
import type { Record_ as DynamoStreamRecord } from './generated/dynamodbstreams.js';

export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Buffer;
}

export interface Integrations {
  /** SQS as a destination (S3 notifications, SNS subscriptions, EventBridge targets, DLQs) */
  sqs?: {
    /** Throws ServiceError('AWS.SimpleQueueService.NonExistentQueue'…) when the queue is gone. */
    sendMessage(
      queueArn: string,
      body: string,
      opts?: {
        attributes?: Record<string, MessageAttributeValue>;
        messageGroupId?: string;
        deduplicationId?: string;
        delaySeconds?: number;
      },
    ): { messageId: string };
    queueExists(queueArn: string): boolean;
  };
  /** SNS as a destination (S3 notifications, CloudWatch alarms, EventBridge targets) */
  sns?: {
    publish(
      topicArn: string,
      message: string,
      opts?: {
        subject?: string;
        attributes?: Record<string, MessageAttributeValue>;
        messageGroupId?: string;
        deduplicationId?: string;
      },
    ): Promise<{ messageId: string }>;
    topicExists(topicArn: string): boolean;
  };
  /** Lambda as a destination (S3 notifications, SNS, event source mappings) */
  lambda?: {
    invoke(
      functionArn: string,
      payload: Buffer,
      invocationType: 'Event' | 'RequestResponse',
    ): Promise<{ statusCode: number; payload?: Buffer; functionError?: string }>;
    functionExists(functionArn: string): boolean;
  };
  /** S3 as a store other services read and write (Lambda code from a bucket, CloudTrail log files) */
  s3?: {
    /** Throws ServiceError NoSuchBucket / NoSuchKey. */
    getObject(account: string, bucket: string, key: string, versionId?: string): Promise<Buffer>;
    putObject(account: string, region: string, bucket: string, key: string, body: Buffer, contentType?: string): Promise<void>;
    /** An account's canonical user id, as S3 shows it in owners and ACL grants. */
    canonicalId(account: string): string;
  };
  /** KMS keys used by other services (SSE-KMS in S3, SQS, SNS, DynamoDB; Lambda environment variables) */
  kms?: {
    /**
     * A key by id, key ARN, alias name or alias ARN in that account and region. Throws
     * ServiceError NotFoundException when there is none.
     */
    describeKey(
      account: string,
      region: string,
      keyId: string,
    ): { keyId: string; arn: string; enabled: boolean; state: string; keyManager: 'AWS' | 'CUSTOMER' };
    /** The key a ciphertext blob names: its ARN (the caller's account and region first), else its id; undefined when not a KMS ciphertext. */
    keyOfCiphertext(blob: Buffer, account?: string, region?: string): string | undefined;
    /** The AWS managed key of a service (`alias/aws/s3`), created on first use; its ARN. */
    awsManagedKey(account: string, region: string, service: string): string;
    /** Throws ServiceError (DisabledException, KMSInvalidStateException, …) as KMS's Encrypt would. */
    encrypt(
      account: string,
      region: string,
      keyId: string,
      plaintext: Buffer,
      context?: Record<string, string>,
    ): { ciphertext: Buffer; keyArn: string };
    decrypt(account: string, region: string, ciphertext: Buffer, context?: Record<string, string>): { plaintext: Buffer; keyArn: string };
    generateDataKey(
      account: string,
      region: string,
      keyId: string,
      context?: Record<string, string>,
    ): { plaintext: Buffer; ciphertext: Buffer; keyArn: string };
  };
  /** CloudWatch Logs as a destination (Lambda's function logs, VPC flow logs, EventBridge targets) */
  logs?: {
    /** Appends events to a stream, creating its group and stream when missing. */
    putLogEvents(account: string, region: string, group: string, stream: string, events: { timestamp: number; message: string }[]): void;
    /** A group's events with start <= timestamp < end, oldest first (read-only; Contributor Insights); undefined when the group does not exist. */
    readEvents?(
      account: string,
      region: string,
      group: string,
      start: number,
      end: number,
    ): { timestamp: number; message: string }[] | undefined;
  };
  /** IAM's identities, for services that act as a role (STS AssumeRole, Lambda execution roles) */
  iam?: {
    /** A role by ARN, or undefined. */
    role(
      roleArn: string,
    ): { arn: string; roleId: string; name: string; account: string; assumeRolePolicy: string; maxSessionDuration: number } | undefined;
    /** Does the role's trust policy (and the caller's own policies, across accounts) let the caller assume it? */
    mayAssume(
      caller: import('./services/types.js').Principal,
      roleArn: string,
      keys: Record<string, string | string[] | undefined>,
      action?: string,
      federated?: string,
    ): { allowed: boolean; message?: string };
    /** A web identity token checked against the account's OIDC provider (throws InvalidIdentityToken, ExpiredTokenException). */
    webIdentity(
      account: string,
      token: string,
    ): { providerArn: string; issuer: string; subject: string; audience: string; claims: Record<string, unknown> };
    /** A base64 SAML response checked against the account's SAML provider: signature, issuer, audience, validity (throws InvalidIdentityToken, ExpiredTokenException). */
    samlIdentity(providerArn: string, assertion: string): SamlIdentity;
    /** An opaque, tamper-proof encoding of an authorization failure (EC2's UnauthorizedOperation), and its decoding (undefined when not Nimbus's). */
    encodeDenial(account: string, detail: Record<string, unknown>): string;
    decodeDenial(account: string, message: string): Record<string, unknown> | undefined;
    /** Throws MalformedPolicyDocument as IAM would for a session policy. */
    checkSessionPolicy(doc: string): void;
    /** A managed policy's default document by ARN (AWS managed or the account's), or undefined. */
    managedPolicy(account: string, arn: string): string | undefined;
  };
  /** EventBridge as a destination (S3 EventBridge notifications, custom events) */
  events?: {
    putEvent(
      account: string,
      region: string,
      event: { source: string; detailType: string; detail: unknown; resources?: string[]; eventBusName?: string },
    ): void;
  };
  /** X-Ray as a destination of trace segments (Lambda's Active tracing; the UDP daemon endpoint) */
  xray?: {
    /** Stores segment documents as PutTraceSegments would; returns how many were refused. */
    putSegments(account: string, region: string, documents: string[]): number;
    /** `127.0.0.1:<port>` of the daemon endpoint (AWS_XRAY_DAEMON_ADDRESS), once it listens */
    daemonAddress(): string | undefined;
  };
  /** CloudWatch metrics as other services publish them (Lambda Invocations, SQS NumberOfMessagesSent); aggregated per minute, cheap to call. */
  cloudwatch?: {
    putMetricData(
      account: string,
      region: string,
      namespace: string,
      data: Array<{
        MetricName: string;
        Dimensions?: Array<{ Name: string; Value: string }>;
        Value: number;
        Unit?: string;
        Timestamp?: number;
      }>,
    ): void;
  };
  /** The schema registry's discoverers, shown each event put on a bus (EventBridge calls it) */
  schemas?: {
    observe(account: string, region: string, busArn: string, event: Record<string, unknown>): void;
  };
  /** DynamoDB's item-change streams (the dynamodbstreams API, Lambda event source mappings) */
  dynamodbStreams?: {
    /** The streams of an account and region in ARN order, from after `after` (exclusive) when given. */
    list(account: string, region: string, after?: string): DynamoStreamInfo[];
    /**
     * One stream, or undefined. With `trimAt` (epoch ms), records past the 24-hour retention are
     * dropped first and `oldestSeq` is the oldest one kept.
     */
    describe(account: string, region: string, arn: string, trimAt?: number): DynamoStreamInfo | undefined;
    /** Up to `limit` records after a sequence number ('' for the oldest), shaped as GetRecords returns them. */
    read(
      account: string,
      region: string,
      arn: string,
      after: string,
      limit: number,
      now: number,
    ): { records: DynamoStreamRecord[]; next: string; closed: boolean };
  };
  /** Auto Scaling's policies as CloudWatch alarm actions */
  autoscaling?: {
    /**
     * Runs the scaling policy an alarm action names (CloudWatch calls it on the transition and every
     * minute the alarm stays in that state); `value` is the newest datapoint. Throws ServiceError when
     * the policy is gone.
     */
    alarmAction(
      account: string,
      region: string,
      policyArn: string,
      trigger: { alarm: string; state: string; value?: number; threshold?: number },
    ): Promise<void>;
  };
  /** EC2 resources other services manage (Auto Scaling's instances) */
  ec2?: {
    /** Adds tags EC2 refuses from users (`aws:autoscaling:groupName`) to a resource; false when it is not found. */
    systemTags(account: string, region: string, resourceId: string, tags: { Key: string; Value: string }[]): boolean;
    /**
     * Where a running instance started in process mode serves `port` (the host and local port a load
     * balancer or a health check connects to); undefined when the instance is not running or does not serve.
     */
    endpoint?(account: string, region: string, instanceId: string, port: number): { host: string; port: number } | undefined;
    /** The public SSM parameters of EC2's AMI catalogue in a region (`/aws/service/ami-amazon-linux-latest/…` → its image id). */
    publicImageParameters?(region: string): { name: string; imageId: string }[];
    /**
     * Records one flow of traffic Nimbus really carried to an instance (a load balancer forwarding to
     * a target) in the VPC flow logs of its network interface, subnet and VPC. Only traffic reported
     * here is ever recorded. `dstAddr` defaults to the interface's private IP.
     */
    recordFlow?(account: string, region: string, flow: FlowRecord): void;
    /**
     * Whether an instance's security groups let in TCP on `port` from a source: the security groups it
     * carries and its address (none: a client outside the VPC). An unknown instance is let in.
     */
    admits?(account: string, region: string, instanceId: string, port: number, from: { groupIds: string[]; address?: string }): boolean;
  };
  /** SSM Parameter Store as other services read it (EC2's `resolve:ssm:` image ids) */
  ssm?: {
    /**
     * A parameter's value by name, ARN, `name:version` or `name:label` (the account's, or a public
     * `/aws/service/…` one); undefined when there is none. SecureString values are not decrypted.
     */
    parameter(
      account: string,
      region: string,
      name: string,
    ): { name: string; value: string; type: string; dataType: string; version: number } | undefined;
  };
}

/** One flow for VPC flow logs (`rt.integrations.ec2.recordFlow`): times are epoch ms. */
export interface FlowRecord {
  /** the instance whose primary network interface carried it, or the interface itself */
  instanceId?: string;
  networkInterfaceId?: string;
  srcAddr: string;
  srcPort: number;
  dstAddr?: string;
  dstPort: number;
  /** IANA protocol number (6 = TCP, the default) */
  protocol?: number;
  packets?: number;
  bytes: number;
  start: number;
  end: number;
  action?: 'ACCEPT' | 'REJECT';
  direction?: 'ingress' | 'egress';
}

/** What a signed SAML assertion says (IAM's `samlIdentity`). */
export interface SamlIdentity {
  providerArn: string;
  issuer: string;
  subject: string;
  subjectType: string;
  audience: string;
  nameQualifier: string;
  sessionName: string;
  sourceIdentity?: string;
  sessionDuration?: number;
  /** role ARNs the assertion maps the user to with this provider */
  roles: string[];
  attributes: Record<string, string[]>;
  tags: Record<string, string>;
  transitive: string[];
}

/** A DynamoDB stream as its table keeps it (one shard per stream). */
export interface DynamoStreamInfo {
  arn: string;
  label: string;
  tableName: string;
  viewType: 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES' | 'KEYS_ONLY';
  keySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
  /** epoch ms */
  created: number;
  shardId: string;
  /** when the stream was disabled (or its table deleted), epoch ms */
  closed?: number;
  /** the sequence number of its newest record */
  latestSeq?: string;
  /** the sequence number of its oldest record within retention (set by describe with trimAt) */
  oldestSeq?: string;
}
