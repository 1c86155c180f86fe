// The one table of what each served operation asks IAM: its action(s) and resource ARN(s).
// Unlisted operations of any service are `service:Operation` on `*`.
type In = Record<string, unknown>;
export interface Where {
  account: string;
  region: string;
}
export interface Ask {
  action: string;
  resource: string;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const decoded = (v: string) => {
  try {
    return decodeURIComponent(v);
  } catch {
    return v; // S3 refuses the malformed copy source itself
  }
};
const bucketArn = (i: In) => `arn:aws:s3:::${str(i.Bucket)}`;
const objectArn = (i: In) => `arn:aws:s3:::${str(i.Bucket)}/${str(i.Key)}`;

/** S3 operations whose action is not `s3:<Operation>`, or that act on an object. */
const S3: Record<string, (i: In) => Ask | Ask[]> = {
  ListBuckets: () => ({ action: 's3:ListAllMyBuckets', resource: '*' }),
  ListDirectoryBuckets: () => ({ action: 's3:ListAllMyBuckets', resource: '*' }),
  HeadBucket: (i) => ({ action: 's3:ListBucket', resource: bucketArn(i) }),
  ListObjects: (i) => ({ action: 's3:ListBucket', resource: bucketArn(i) }),
  ListObjectsV2: (i) => ({ action: 's3:ListBucket', resource: bucketArn(i) }),
  ListObjectVersions: (i) => ({ action: 's3:ListBucketVersions', resource: bucketArn(i) }),
  ListMultipartUploads: (i) => ({ action: 's3:ListBucketMultipartUploads', resource: bucketArn(i) }),
  GetObject: (i) => ({ action: i.VersionId ? 's3:GetObjectVersion' : 's3:GetObject', resource: objectArn(i) }),
  HeadObject: (i) => ({ action: i.VersionId ? 's3:GetObjectVersion' : 's3:GetObject', resource: objectArn(i) }),
  GetObjectAttributes: (i) => ({
    action: i.VersionId ? 's3:GetObjectVersionAttributes' : 's3:GetObjectAttributes',
    resource: objectArn(i),
  }),
  PutObject: (i) => ({ action: 's3:PutObject', resource: objectArn(i) }),
  PostObject: (i) => ({ action: 's3:PutObject', resource: objectArn(i) }),
  CopyObject: (i) => [
    { action: 's3:PutObject', resource: objectArn(i) },
    { action: 's3:GetObject', resource: `arn:aws:s3:::${decoded(str(i.CopySource).replace(/^\//, '').split('?')[0])}` },
  ],
  CreateMultipartUpload: (i) => ({ action: 's3:PutObject', resource: objectArn(i) }),
  UploadPart: (i) => ({ action: 's3:PutObject', resource: objectArn(i) }),
  UploadPartCopy: (i) => ({ action: 's3:PutObject', resource: objectArn(i) }),
  CompleteMultipartUpload: (i) => ({ action: 's3:PutObject', resource: objectArn(i) }),
  AbortMultipartUpload: (i) => ({ action: 's3:AbortMultipartUpload', resource: objectArn(i) }),
  ListParts: (i) => ({ action: 's3:ListMultipartUploadParts', resource: objectArn(i) }),
  DeleteObject: (i) => ({ action: i.VersionId ? 's3:DeleteObjectVersion' : 's3:DeleteObject', resource: objectArn(i) }),
  DeleteObjects: (i) => {
    const objs = (i.Delete as { Objects?: { Key: string; VersionId?: string }[] } | undefined)?.Objects ?? [];
    return objs.map((o) => ({
      action: o.VersionId ? 's3:DeleteObjectVersion' : 's3:DeleteObject',
      resource: `arn:aws:s3:::${str(i.Bucket)}/${o.Key}`,
    }));
  },
  GetObjectTagging: (i) => ({ action: i.VersionId ? 's3:GetObjectVersionTagging' : 's3:GetObjectTagging', resource: objectArn(i) }),
  PutObjectTagging: (i) => ({ action: i.VersionId ? 's3:PutObjectVersionTagging' : 's3:PutObjectTagging', resource: objectArn(i) }),
  DeleteObjectTagging: (i) => ({
    action: i.VersionId ? 's3:DeleteObjectVersionTagging' : 's3:DeleteObjectTagging',
    resource: objectArn(i),
  }),
  GetObjectAcl: (i) => ({ action: i.VersionId ? 's3:GetObjectVersionAcl' : 's3:GetObjectAcl', resource: objectArn(i) }),
  PutObjectAcl: (i) => ({ action: i.VersionId ? 's3:PutObjectVersionAcl' : 's3:PutObjectAcl', resource: objectArn(i) }),
  RestoreObject: (i) => ({ action: 's3:RestoreObject', resource: objectArn(i) }),
  GetObjectRetention: (i) => ({ action: 's3:GetObjectRetention', resource: objectArn(i) }),
  PutObjectRetention: (i) => ({ action: 's3:PutObjectRetention', resource: objectArn(i) }),
  GetObjectLegalHold: (i) => ({ action: 's3:GetObjectLegalHold', resource: objectArn(i) }),
  PutObjectLegalHold: (i) => ({ action: 's3:PutObjectLegalHold', resource: objectArn(i) }),
  GetBucketCors: (i) => ({ action: 's3:GetBucketCORS', resource: bucketArn(i) }),
  PutBucketCors: (i) => ({ action: 's3:PutBucketCORS', resource: bucketArn(i) }),
  DeleteBucketCors: (i) => ({ action: 's3:PutBucketCORS', resource: bucketArn(i) }),
  GetBucketLifecycleConfiguration: (i) => ({ action: 's3:GetLifecycleConfiguration', resource: bucketArn(i) }),
  PutBucketLifecycleConfiguration: (i) => ({ action: 's3:PutLifecycleConfiguration', resource: bucketArn(i) }),
  DeleteBucketLifecycle: (i) => ({ action: 's3:PutLifecycleConfiguration', resource: bucketArn(i) }),
  GetBucketNotificationConfiguration: (i) => ({ action: 's3:GetBucketNotification', resource: bucketArn(i) }),
  PutBucketNotificationConfiguration: (i) => ({ action: 's3:PutBucketNotification', resource: bucketArn(i) }),
  GetBucketEncryption: (i) => ({ action: 's3:GetEncryptionConfiguration', resource: bucketArn(i) }),
  PutBucketEncryption: (i) => ({ action: 's3:PutEncryptionConfiguration', resource: bucketArn(i) }),
  DeleteBucketEncryption: (i) => ({ action: 's3:PutEncryptionConfiguration', resource: bucketArn(i) }),
  DeleteBucketTagging: (i) => ({ action: 's3:PutBucketTagging', resource: bucketArn(i) }),
  DeleteBucketWebsite: (i) => ({ action: 's3:DeleteBucketWebsite', resource: bucketArn(i) }),
  GetPublicAccessBlock: (i) => ({ action: 's3:GetBucketPublicAccessBlock', resource: bucketArn(i) }),
  PutPublicAccessBlock: (i) => ({ action: 's3:PutBucketPublicAccessBlock', resource: bucketArn(i) }),
  DeletePublicAccessBlock: (i) => ({ action: 's3:PutBucketPublicAccessBlock', resource: bucketArn(i) }),
  GetObjectLockConfiguration: (i) => ({ action: 's3:GetBucketObjectLockConfiguration', resource: bucketArn(i) }),
  PutObjectLockConfiguration: (i) => ({ action: 's3:PutBucketObjectLockConfiguration', resource: bucketArn(i) }),
  DeleteBucketOwnershipControls: (i) => ({ action: 's3:PutBucketOwnershipControls', resource: bucketArn(i) }),
  GetBucketPolicyStatus: (i) => ({ action: 's3:GetBucketPolicyStatus', resource: bucketArn(i) }),
  GetBucketIntelligentTieringConfiguration: (i) => ({ action: 's3:GetIntelligentTieringConfiguration', resource: bucketArn(i) }),
  PutBucketIntelligentTieringConfiguration: (i) => ({ action: 's3:PutIntelligentTieringConfiguration', resource: bucketArn(i) }),
  DeleteBucketIntelligentTieringConfiguration: (i) => ({ action: 's3:PutIntelligentTieringConfiguration', resource: bucketArn(i) }),
  GetBucketReplication: (i) => ({ action: 's3:GetReplicationConfiguration', resource: bucketArn(i) }),
  PutBucketReplication: (i) => ({ action: 's3:PutReplicationConfiguration', resource: bucketArn(i) }),
  DeleteBucketReplication: (i) => ({ action: 's3:PutReplicationConfiguration', resource: bucketArn(i) }),
  GetBucketAccelerateConfiguration: (i) => ({ action: 's3:GetAccelerateConfiguration', resource: bucketArn(i) }),
  PutBucketAccelerateConfiguration: (i) => ({ action: 's3:PutAccelerateConfiguration', resource: bucketArn(i) }),
  GetBucketRequestPayment: (i) => ({ action: 's3:GetBucketRequestPayment', resource: bucketArn(i) }),
  GetBucketLogging: (i) => ({ action: 's3:GetBucketLogging', resource: bucketArn(i) }),
  PutBucketLogging: (i) => ({ action: 's3:PutBucketLogging', resource: bucketArn(i) }),
};

const queueArn = (i: In, w: Where) => {
  const url = str(i.QueueUrl);
  const m = /(\d{12})\/([^/?]+)\/?$/.exec(url);
  if (m) return `arn:aws:sqs:${w.region}:${m[1]}:${m[2]}`;
  if (i.QueueName) return `arn:aws:sqs:${w.region}:${str(i.QueueOwnerAWSAccountId) || w.account}:${str(i.QueueName)}`;
  return '*';
};
const topicArn = (i: In, w: Where) => {
  if (i.TopicArn) return str(i.TopicArn);
  if (i.SubscriptionArn) return str(i.SubscriptionArn).split(':').slice(0, 6).join(':');
  if (i.ResourceArn) return str(i.ResourceArn);
  if (i.Name) return `arn:aws:sns:${w.region}:${w.account}:${str(i.Name)}`;
  return '*';
};
const tableArn = (name: unknown, w: Where) => {
  const n = str(name);
  return n.startsWith('arn:') ? n : `arn:aws:dynamodb:${w.region}:${w.account}:table/${n}`;
};
/** A KMS key reference (id, ARN, alias name or alias ARN) as an ARN: aliases stay alias ARNs (the enforcer resolves them). */
const kmsArn = (v: unknown, w: Where) => {
  const s = str(v);
  if (!s) return '*';
  if (s.startsWith('arn:')) return s;
  return `arn:aws:kms:${w.region}:${w.account}:${s.startsWith('alias/') ? s : `key/${s}`}`;
};
/** A function named by name, name:qualifier, partial or full ARN (plus a Qualifier parameter) as its ARN. */
const lambdaArn = (v: unknown, qualifier: unknown, w: Where) => {
  const m = /^(?:arn:aws[a-z-]*:lambda:([a-z0-9-]+):)?(?:(\d{12}):)?(?:function:)?([\w-]+)(?::([\w$-]+))?$/.exec(str(v));
  if (!m) return '*';
  const q = m[4] ?? (typeof qualifier === 'string' && qualifier ? qualifier : undefined);
  return `arn:aws:lambda:${m[1] ?? w.region}:${m[2] ?? w.account}:function:${m[3]}${q ? `:${q}` : ''}`;
};
/** Lambda operations whose IAM action has another name. */
const LAMBDA_ACTION: Record<string, string> = {
  Invoke: 'lambda:InvokeFunction',
  InvokeWithResponseStream: 'lambda:InvokeFunction',
  InvokeAsync: 'lambda:InvokeAsync',
};
/** An SSM parameter (name, name:version or name:label, or ARN) as the ARN AWS authorizes: no leading slash, no selector. */
const parameterArn = (v: unknown, w: Where) => {
  const s = str(v);
  if (s.startsWith('arn:')) return s.split(':').slice(0, 6).join(':');
  return `arn:aws:ssm:${w.region}:${w.account}:parameter/${s.split(':')[0].replace(/^\//, '')}`;
};
/** SSM operations on parameters: the field naming them (GetParameters and DeleteParameters ask once per name). */
const SSM_PARAMETER: Record<string, string> = {
  GetParameter: 'Name',
  GetParameters: 'Names',
  PutParameter: 'Name',
  DeleteParameter: 'Name',
  DeleteParameters: 'Names',
  GetParameterHistory: 'Name',
  LabelParameterVersion: 'Name',
  UnlabelParameterVersion: 'Name',
  GetParametersByPath: 'Path',
  AddTagsToResource: 'ResourceId',
  ListTagsForResource: 'ResourceId',
  RemoveTagsFromResource: 'ResourceId',
};
const IAM_RESOURCE: [string, string][] = [
  ['UserName', 'user'],
  ['RoleName', 'role'],
  ['GroupName', 'group'],
  ['InstanceProfileName', 'instance-profile'],
];

/** What a call asks: one or more (action, resource) pairs, all of which must be allowed. */
export function asks(service: string, operation: string, input: In, w: Where): Ask[] {
  const generic = (resource: string) => [{ action: `${service}:${operation}`, resource }];
  switch (service) {
    case 's3': {
      const rule = S3[operation];
      if (rule) {
        const r = rule(input);
        return Array.isArray(r) ? r : [r];
      }
      return generic(input.Key !== undefined ? objectArn(input) : input.Bucket !== undefined ? bucketArn(input) : '*');
    }
    case 'sqs':
      return generic(operation === 'ListQueues' ? '*' : queueArn(input, w));
    case 'sns':
      return generic(topicArn(input, w));
    case 'dynamodb': {
      if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
        return Object.keys((input.RequestItems as object) ?? {}).map((t) => ({
          action: `dynamodb:${operation}`,
          resource: tableArn(t, w),
        }));
      }
      if (input.TableName !== undefined) return generic(tableArn(input.TableName, w));
      if (input.ResourceArn !== undefined) return generic(str(input.ResourceArn));
      return generic('*');
    }
    case 'dynamodbstreams':
      return [{ action: `dynamodb:${operation}`, resource: input.StreamArn ? str(input.StreamArn) : '*' }];
    case 'sts':
      return generic(input.RoleArn ? str(input.RoleArn) : '*');
    case 'lambda': {
      const action = LAMBDA_ACTION[operation] ?? `lambda:${operation}`;
      const fn =
        input.FunctionName ??
        (operation === 'ListTags' || operation === 'TagResource' || operation === 'UntagResource' ? input.Resource : undefined);
      return [{ action, resource: fn === undefined ? '*' : lambdaArn(fn, input.Qualifier, w) }];
    }
    case 'kms': {
      // ReEncrypt needs both halves; an alias operation needs the alias and the key it names
      if (operation === 'ReEncrypt')
        return [
          { action: 'kms:ReEncryptFrom', resource: kmsArn(input.SourceKeyId, w) },
          { action: 'kms:ReEncryptTo', resource: kmsArn(input.DestinationKeyId, w) },
        ];
      if (operation === 'CreateAlias' || operation === 'UpdateAlias')
        return [...generic(kmsArn(input.AliasName, w)), ...generic(kmsArn(input.TargetKeyId, w))];
      if (operation === 'DeleteAlias') return generic(kmsArn(input.AliasName, w));
      return generic(kmsArn(input.KeyId, w));
    }
    case 'ssm': {
      const field = SSM_PARAMETER[operation];
      if (!field || (field === 'ResourceId' && input.ResourceType !== 'Parameter')) return generic('*');
      const names = Array.isArray(input[field]) ? (input[field] as unknown[]) : [input[field]];
      if (!names.length) return generic('*');
      return names.map((n) => ({ action: `ssm:${operation}`, resource: parameterArn(n, w) }));
    }
    case 'iam': {
      if (input.PolicyArn !== undefined && !/User|Role|Group/.test(operation)) return generic(str(input.PolicyArn));
      for (const [field, kind] of IAM_RESOURCE) {
        if (typeof input[field] === 'string') return generic(`arn:aws:iam::${w.account}:${kind}/${str(input[field])}`);
      }
      return generic('*');
    }
    default:
      return generic('*');
  }
}

/** An AttributeValue as the condition key sees it (S and N as written, B as base64). */
const attrText = (v: unknown): string | undefined => {
  const a = v as { S?: unknown; N?: unknown; B?: unknown } | undefined;
  if (typeof a?.S === 'string') return a.S;
  if (typeof a?.N === 'string') return a.N;
  if (a?.B instanceof Uint8Array) return Buffer.from(a.B).toString('base64');
  return undefined;
};

/**
 * dynamodb:LeadingKeys — the partition key values a call touches on one table: from Key or Item,
 * every request of a batch, or a Query's `<hash key> = :v` condition. Undefined when none is named.
 */
export function leadingKeys(operation: string, input: In, hashKey: string, table: string): string[] | undefined {
  const out: string[] = [];
  const add = (item: unknown) => {
    const t = attrText((item as Record<string, unknown> | undefined)?.[hashKey]);
    if (t !== undefined) out.push(t);
  };
  add(input.Key);
  add(input.Item);
  const requests = (input.RequestItems as Record<string, unknown> | undefined)?.[table];
  if (Array.isArray(requests))
    for (const r of requests as { PutRequest?: { Item?: unknown }; DeleteRequest?: { Key?: unknown } }[])
      add(r.PutRequest?.Item ?? r.DeleteRequest?.Key);
  else if (requests && typeof requests === 'object') for (const k of (requests as { Keys?: unknown[] }).Keys ?? []) add(k);
  if (operation === 'Query' && typeof input.KeyConditionExpression === 'string') {
    const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
    const values = (input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
    for (const m of input.KeyConditionExpression.matchAll(/([#\w.]+)\s*=\s*(:\w+)/g)) {
      if ((names[m[1]] ?? m[1]) === hashKey) {
        const t = attrText(values[m[2]]);
        if (t !== undefined) out.push(t);
      }
    }
  }
  const conds = (input.KeyConditions as Record<string, { AttributeValueList?: unknown[] }> | undefined)?.[hashKey];
  if (conds?.AttributeValueList?.length) {
    const t = attrText(conds.AttributeValueList[0]);
    if (t !== undefined) out.push(t);
  }
  return out.length ? [...new Set(out)] : undefined;
}

/** Condition keys a call carries beyond the global ones (s3:prefix, s3:x-amz-acl, aws:RequestTag/*). */
export function requestKeys(service: string, input: In, keys: Record<string, string | string[] | undefined>): void {
  if (service === 's3') {
    if (typeof input.Prefix === 'string') keys['s3:prefix'] = input.Prefix;
    if (typeof input.Delimiter === 'string') keys['s3:delimiter'] = input.Delimiter;
    if (typeof input.ACL === 'string') keys['s3:x-amz-acl'] = input.ACL;
    if (typeof input.VersionId === 'string') keys['s3:versionid'] = input.VersionId;
  }
  if (service === 'sts') {
    if (typeof input.ExternalId === 'string') keys['sts:externalid'] = input.ExternalId;
    if (typeof input.RoleSessionName === 'string') keys['sts:rolesessionname'] = input.RoleSessionName;
    if (typeof input.SourceIdentity === 'string') keys['sts:sourceidentity'] = input.SourceIdentity;
  }
  if (service === 'lambda' && typeof input.FunctionUrlAuthType === 'string') keys['lambda:functionurlauthtype'] = input.FunctionUrlAuthType;
  if (service === 'dynamodb') {
    if (typeof input.Select === 'string') keys['dynamodb:select'] = input.Select;
    if (typeof input.ReturnValues === 'string') keys['dynamodb:returnvalues'] = input.ReturnValues;
    if (typeof input.ReturnConsumedCapacity === 'string') keys['dynamodb:returnconsumedcapacity'] = input.ReturnConsumedCapacity;
  }
  if (service === 'kms') {
    const ec = input.EncryptionContext as Record<string, string> | undefined;
    if (ec && typeof ec === 'object') {
      for (const [k, v] of Object.entries(ec)) keys[`kms:encryptioncontext:${k.toLowerCase()}`] = v;
      keys['kms:encryptioncontextkeys'] = Object.keys(ec);
    }
    for (const [field, key] of [
      ['EncryptionAlgorithm', 'kms:encryptionalgorithm'],
      ['SigningAlgorithm', 'kms:signingalgorithm'],
      ['KeySpec', 'kms:keyspec'],
      ['KeyUsage', 'kms:keyusage'],
      ['GranteePrincipal', 'kms:granteeprincipal'],
      ['RetiringPrincipal', 'kms:retiringprincipal'],
      ['MacAlgorithm', 'kms:macalgorithm'],
      ['Origin', 'kms:keyorigin'],
    ] as const) {
      if (typeof input[field] === 'string') keys[key] = input[field] as string;
    }
    if (Array.isArray(input.Operations)) keys['kms:grantoperations'] = input.Operations as string[];
    if (typeof input.BypassPolicyLockoutSafetyCheck === 'boolean')
      keys['kms:bypasspolicylockoutsafetycheck'] = String(input.BypassPolicyLockoutSafetyCheck);
    if (typeof input.MultiRegion === 'boolean') keys['kms:multiregion'] = String(input.MultiRegion);
  }
  const tags = input.Tags;
  if (Array.isArray(tags)) {
    const names: string[] = [];
    for (const t of tags as { Key?: string; Value?: string }[]) {
      if (t && typeof t.Key === 'string') {
        keys[`aws:requesttag/${t.Key.toLowerCase()}`] = t.Value ?? '';
        names.push(t.Key);
      }
    }
    keys['aws:tagkeys'] = names;
  }
}
