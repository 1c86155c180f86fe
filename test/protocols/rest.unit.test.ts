// rest-xml and rest-json, checked against the SDK v3's own serializers and deserializers: each client
// gets a request handler that parses its request with our protocol, checks the input, and answers with our
// serialize()/serializeError() output. No server involved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetBucketAclCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketAclCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { AccessControlPolicy } from '@aws-sdk/client-s3';
import { CreateFunctionCommand, GetFunctionCommand, InvokeCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { loadModel, ServiceModel } from '../../src/protocols/model.js';
import { restXml } from '../../src/protocols/rest-xml.js';
import { restJson } from '../../src/protocols/rest-json.js';
import { splitHeaderList } from '../../src/protocols/rest.js';
import { parseXml } from '../../src/protocols/xml.js';
import { ServiceError } from '../../src/services/errors.js';
import { answer, common, ctx, fakeAws, type Handler, pick, readAll, request, withoutMetadata } from '../protocol-harness.js';

const s3Model = loadModel('s3')!;
const lambdaModel = loadModel('lambda')!;
const s3 = (handler: Handler) =>
  new S3Client({
    ...common,
    endpoint: 'http://localhost:4566',
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    requestHandler: fakeAws(s3Model, restXml, handler) as never,
  });
const lambda = (handler: Handler) =>
  new LambdaClient({ ...common, endpoint: 'http://localhost:4566', requestHandler: fakeAws(lambdaModel, restJson, handler) as never });

// ---------------------------------------------------------------- S3 (rest-xml)

test('S3 PutObject: header members, metadata prefix headers, streaming body', async () => {
  const output = {
    ETag: '"d41d8cd98f00b204e9800998ecf8427e"',
    VersionId: 'v1',
    ServerSideEncryption: 'AES256',
    BucketKeyEnabled: true,
    Size: 11,
  };
  let body = '';
  const client = s3(async (operation, input) => {
    assert.equal(operation, 'PutObject');
    body = (await readAll(input.Body)).toString();
    const { Body: _, ...rest } = input;
    const sent = {
      Bucket: 'bucket',
      Key: 'dir/my key+ü.txt',
      ContentType: 'text/plain',
      CacheControl: 'max-age=60',
      Metadata: { color: 'blue', 'two-words': 'a b' },
      ObjectLockRetainUntilDate: new Date('2030-01-02T03:04:05Z'),
      // botocore models Expires as a string (clients send the HTTP date of a Date)
      Expires: 'Wed, 01 Jan 2031 00:00:00 GMT',
      ContentLength: 11,
      StorageClass: 'STANDARD_IA',
    };
    assert.deepEqual(pick(rest, sent), sent);
    return output;
  });
  const out = await client.send(
    new PutObjectCommand({
      Bucket: 'bucket',
      Key: 'dir/my key+ü.txt',
      Body: Readable.from([Buffer.from('hello '), Buffer.from('world')]),
      ContentType: 'text/plain',
      CacheControl: 'max-age=60',
      Metadata: { color: 'blue', 'two-words': 'a b' },
      ObjectLockRetainUntilDate: new Date('2030-01-02T03:04:05Z'),
      Expires: new Date('2031-01-01T00:00:00Z'),
      ContentLength: 11,
      StorageClass: 'STANDARD_IA',
    }),
  );
  assert.equal(body, 'hello world');
  assert.deepEqual(withoutMetadata(out), output);
});

test('S3 GetObject: query and header input, output headers and a streaming body', async () => {
  const lastModified = new Date('2024-05-06T07:08:09Z');
  const output = {
    Body: Readable.from([Buffer.from('hello world')]),
    ContentType: 'text/plain',
    ContentLength: 11,
    ETag: '"abc"',
    LastModified: lastModified,
    Metadata: { color: 'blue' },
    TagCount: 2,
    AcceptRanges: 'bytes',
    DeleteMarker: false,
  };
  const { seen, handler } = answer(output);
  const sent = {
    Bucket: 'bucket',
    Key: 'k/with/slashes',
    Range: 'bytes=0-10',
    VersionId: 'v 1',
    IfModifiedSince: new Date('2024-01-01T00:00:00Z'),
    ResponseContentType: 'application/json',
  };
  const out = await s3(handler).send(new GetObjectCommand(sent));
  assert.equal(seen.operation, 'GetObject');
  assert.deepEqual(pick(seen.input, sent), sent);
  assert.equal(await out.Body!.transformToString(), 'hello world');
  const { Body: _, ...expected } = output;
  const { Body: __, ...got } = withoutMetadata(out) as Record<string, unknown>;
  assert.deepEqual(got, expected);
});

test('S3 ListObjectsV2: query params in, flattened lists out', async () => {
  const output = {
    Name: 'bucket',
    Prefix: 'photos/',
    Delimiter: '/',
    MaxKeys: 2,
    KeyCount: 2,
    IsTruncated: true,
    NextContinuationToken: 'next&<token>',
    StartAfter: 'photos/a',
    Contents: [
      {
        Key: 'photos/b.jpg',
        LastModified: new Date('2024-01-01T00:00:00.123Z'),
        ETag: '"e1"',
        Size: 10,
        StorageClass: 'STANDARD',
        ChecksumAlgorithm: ['CRC32', 'SHA256'],
        Owner: { ID: 'owner-id', DisplayName: 'me' },
      },
      { Key: 'photos/c & d.jpg', LastModified: new Date('2024-01-02T00:00:00Z'), ETag: '"e2"', Size: 0, StorageClass: 'STANDARD' },
    ],
    CommonPrefixes: [{ Prefix: 'photos/2023/' }, { Prefix: 'photos/2024/' }],
  };
  const { seen, handler } = answer(output);
  const sent = {
    Bucket: 'bucket',
    Prefix: 'photos/',
    Delimiter: '/',
    MaxKeys: 2,
    ContinuationToken: 'tok=1',
    FetchOwner: true,
    StartAfter: 'photos/a',
  };
  const out = await s3(handler).send(new ListObjectsV2Command(sent));
  assert.equal(seen.operation, 'ListObjectsV2');
  assert.deepEqual(seen.input, sent);
  assert.deepEqual(withoutMetadata(out), output);
});

test('S3 CompleteMultipartUpload: an XML payload in, XML out', async () => {
  const output = { Location: 'http://localhost/bucket/key', Bucket: 'bucket', Key: 'key', ETag: '"etag-2"', VersionId: 'v9' };
  const { seen, handler } = answer(output);
  const sent = {
    Bucket: 'bucket',
    Key: 'key',
    UploadId: 'up/1+2',
    MultipartUpload: {
      Parts: [
        { ETag: '"p1"', PartNumber: 1 },
        { ETag: '"p2"', PartNumber: 2, ChecksumCRC32: 'AAAAAA==' },
      ],
    },
  };
  const out = await s3(handler).send(new CompleteMultipartUploadCommand(sent));
  assert.equal(seen.operation, 'CompleteMultipartUpload');
  assert.deepEqual(pick(seen.input, sent), sent);
  assert.deepEqual(withoutMetadata(out), output);
});

test('S3 PutBucketTagging: wrapped list payload; empty output', async () => {
  const { seen, handler } = answer({});
  const sent = {
    Bucket: 'bucket',
    Tagging: {
      TagSet: [
        { Key: 'env', Value: 'prod' },
        { Key: 'a<b', Value: '' },
      ],
    },
  };
  const out = await s3(handler).send(new PutBucketTaggingCommand(sent));
  assert.equal(seen.operation, 'PutBucketTagging');
  assert.deepEqual(pick(seen.input, sent), sent);
  assert.deepEqual(withoutMetadata(out), {});
  assert.equal(out.$metadata.httpStatusCode, 200);
});

test('S3 DeleteObjects: flattened lists both ways', async () => {
  const output = {
    Deleted: [{ Key: 'a' }, { Key: 'b', VersionId: 'v', DeleteMarker: true, DeleteMarkerVersionId: 'dm' }],
    Errors: [{ Key: 'c', Code: 'AccessDenied', Message: 'Access Denied' }],
  };
  const { seen, handler } = answer(output);
  const sent = { Bucket: 'bucket', Delete: { Objects: [{ Key: 'a' }, { Key: 'b', VersionId: 'v' }, { Key: 'c' }], Quiet: false } };
  const out = await s3(handler).send(new DeleteObjectsCommand(sent));
  assert.equal(seen.operation, 'DeleteObjects');
  assert.deepEqual(pick(seen.input, sent), sent);
  assert.deepEqual(withoutMetadata(out), output);
});

test('S3 CopyObject: routed by x-amz-copy-source; structure payload out', async () => {
  const output = {
    CopyObjectResult: { ETag: '"copied"', LastModified: new Date('2024-03-04T05:06:07Z') },
    VersionId: 'v2',
    CopySourceVersionId: 'v1',
  };
  const { seen, handler } = answer(output);
  const sent = { Bucket: 'dst', Key: 'to/key', CopySource: 'src/from%20key', MetadataDirective: 'REPLACE' as const, Metadata: { k: 'v' } };
  const out = await s3(handler).send(new CopyObjectCommand(sent));
  assert.equal(seen.operation, 'CopyObject');
  assert.deepEqual(pick(seen.input, sent), sent);
  assert.deepEqual(withoutMetadata(out), output);
});

const acl: AccessControlPolicy = {
  Owner: { ID: 'owner-id', DisplayName: 'owner' },
  Grants: [
    { Grantee: { Type: 'CanonicalUser', ID: 'owner-id', DisplayName: 'owner' }, Permission: 'FULL_CONTROL' },
    { Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' },
  ],
};

test('S3 GetBucketAcl: xsi:type attribute on Grantee out', async () => {
  const { seen, handler } = answer(acl);
  const out = await s3(handler).send(new GetBucketAclCommand({ Bucket: 'bucket' }));
  assert.equal(seen.operation, 'GetBucketAcl');
  assert.deepEqual(withoutMetadata(out), acl);
  const xml = String(restXml.serialize(s3Model, 'GetBucketAcl', acl, ctx('s3')).body);
  assert.match(xml, /<Grantee xmlns:xsi="http:\/\/www.w3.org\/2001\/XMLSchema-instance" xsi:type="Group">/);
  assert.match(
    xml,
    /^<\?xml version="1.0" encoding="UTF-8"\?>\n<AccessControlPolicy xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/">/,
  );
});

test('S3 PutBucketAcl: xsi:type attribute on Grantee in', async () => {
  const { seen, handler } = answer({});
  await s3(handler).send(new PutBucketAclCommand({ Bucket: 'bucket', AccessControlPolicy: acl }));
  assert.equal(seen.operation, 'PutBucketAcl');
  assert.deepEqual(seen.input?.AccessControlPolicy, acl);
});

test('S3 GetBucketLocation: the unwrapped LocationConstraint quirk', async () => {
  const { handler } = answer({ LocationConstraint: 'eu-west-1' });
  const out = await s3(handler).send(new GetBucketLocationCommand({ Bucket: 'bucket' }));
  assert.equal(out.LocationConstraint, 'eu-west-1');
});

test('S3 error: NoSuchKey, unwrapped <Error> with the Key field', async () => {
  const err = new ServiceError('NoSuchKey', 'The specified key does not exist.', undefined, { Key: 'missing.txt' });
  const client = s3(() => {
    throw err;
  });
  await assert.rejects(client.send(new GetObjectCommand({ Bucket: 'bucket', Key: 'missing.txt' })), (e: any) => {
    assert.equal(e.name, 'NoSuchKey');
    assert.equal(e.message, 'The specified key does not exist.');
    assert.equal(e.$metadata.httpStatusCode, 404);
    return true;
  });
  const res = restXml.serializeError(s3Model, 'GetObject', err, ctx('s3'));
  assert.equal(res.status, 404);
  assert.equal(
    res.body,
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>' +
      '<Key>missing.txt</Key><RequestId>req-1</RequestId><HostId>cmVxLTE=</HostId></Error>',
  );
  // without a model the S3 shape is chosen by the service name; other services get <ErrorResponse>
  assert.match(String(restXml.serializeError(undefined, undefined, err, ctx('s3')).body), /^<\?xml[^>]*>\n<Error>/);
  const wrapped = String(
    restXml.serializeError(loadModel('route53'), undefined, new ServiceError('NoSuchHostedZone', 'nope'), ctx('route53')).body,
  );
  assert.match(
    wrapped,
    /<ErrorResponse><Error><Type>Sender<\/Type><Code>NoSuchHostedZone<\/Code><Message>nope<\/Message><\/Error><RequestId>req-1<\/RequestId><\/ErrorResponse>$/,
  );
});

// ---------------------------------------------------------------- Lambda (rest-json)

test('Lambda CreateFunction: nested structures and a base64 blob in the JSON body; status 201', async () => {
  const output = {
    FunctionName: 'my-fn',
    FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:my-fn',
    Runtime: 'nodejs20.x',
    Role: 'arn:aws:iam::000000000000:role/r',
    Handler: 'index.handler',
    CodeSize: 4,
    Timeout: 30,
    MemorySize: 256,
    LastModified: '2024-01-01T00:00:00.000+0000',
    Environment: { Variables: { A: '1' } },
    State: 'Active',
    Architectures: ['arm64'],
  };
  const { seen, handler } = answer(output);
  const sent = {
    FunctionName: 'my-fn',
    Runtime: 'nodejs20.x' as const,
    Role: 'arn:aws:iam::000000000000:role/r',
    Handler: 'index.handler',
    Code: { ZipFile: Buffer.from([0x50, 0x4b, 0x03, 0x04]) },
    Timeout: 30,
    MemorySize: 256,
    Publish: true,
    Environment: { Variables: { A: '1' } },
    Tags: { team: 'x' },
    Architectures: ['arm64' as const],
    VpcConfig: { SubnetIds: ['s-1'], SecurityGroupIds: ['sg-1'] },
  };
  const out = await lambda(handler).send(new CreateFunctionCommand(sent));
  assert.equal(seen.operation, 'CreateFunction');
  assert.deepEqual(seen.input, sent);
  assert.equal(out.$metadata.httpStatusCode, 201);
  assert.deepEqual(withoutMetadata(out), output);
});

test('Lambda Invoke: header members, blob payload both ways, FunctionError header', async () => {
  const output = {
    StatusCode: 200,
    FunctionError: 'Unhandled',
    LogResult: Buffer.from('log').toString('base64'),
    ExecutedVersion: '$LATEST',
    Payload: Buffer.from('{"errorMessage":"boom"}'),
  };
  const { seen, handler } = answer(output);
  const sent = {
    FunctionName: 'my-fn',
    InvocationType: 'RequestResponse' as const,
    LogType: 'Tail' as const,
    ClientContext: Buffer.from('{}').toString('base64'),
    Payload: Buffer.from('{"a":1}'),
    Qualifier: '$LATEST',
  };
  const out = await lambda(handler).send(new InvokeCommand(sent));
  assert.equal(seen.operation, 'Invoke');
  assert.deepEqual(seen.input, sent);
  assert.equal(out.$metadata.httpStatusCode, 200);
  const { Payload, ...rest } = withoutMetadata(out) as Record<string, unknown>;
  assert.equal(Buffer.from(Payload as Uint8Array).toString(), '{"errorMessage":"boom"}');
  const { Payload: _, ...expected } = output;
  assert.deepEqual(rest, expected);

  // an asynchronous invocation: the statusCode-bound member decides the HTTP status
  const res = restJson.serialize(lambdaModel, 'Invoke', { StatusCode: 202 }, ctx('lambda'));
  assert.equal(res.status, 202);
  assert.equal(res.body, undefined);
});

test('Lambda ListFunctions: query params', async () => {
  const output = {
    Functions: [
      { FunctionName: 'a', Timeout: 3 },
      { FunctionName: 'b', Layers: [{ Arn: 'arn:l', CodeSize: 1 }] },
    ],
    NextMarker: 'm2',
  };
  const { seen, handler } = answer(output);
  const sent = { MasterRegion: 'ALL', FunctionVersion: 'ALL' as const, Marker: 'm 1', MaxItems: 10 };
  const out = await lambda(handler).send(new ListFunctionsCommand(sent));
  assert.equal(seen.operation, 'ListFunctions');
  assert.deepEqual(seen.input, sent);
  assert.deepEqual(withoutMetadata(out), output);
});

test('Lambda GetFunction: an ARN as uri label', async () => {
  const output = {
    Configuration: { FunctionName: 'my-fn', Version: '1' },
    Code: { RepositoryType: 'S3', Location: 'https://x/y?z=1' },
    Tags: { a: 'b' },
  };
  const { seen, handler } = answer(output);
  const sent = { FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:my-fn', Qualifier: '1' };
  const out = await lambda(handler).send(new GetFunctionCommand(sent));
  assert.equal(seen.operation, 'GetFunction');
  assert.deepEqual(seen.input, sent);
  assert.deepEqual(withoutMetadata(out), output);
});

test('Lambda error: ResourceNotFoundException takes its 404 from the model', async () => {
  const err = new ServiceError('ResourceNotFoundException', 'Function not found: my-fn', undefined, { Type: 'User' });
  const client = lambda(() => {
    throw err;
  });
  await assert.rejects(client.send(new GetFunctionCommand({ FunctionName: 'my-fn' })), (e: any) => {
    assert.equal(e.name, 'ResourceNotFoundException');
    assert.equal(e.message, 'Function not found: my-fn');
    assert.equal(e.Type, 'User');
    assert.equal(e.$metadata.httpStatusCode, 404);
    return true;
  });
  const res = restJson.serializeError(lambdaModel, 'GetFunction', err, ctx('lambda'));
  assert.equal(res.headers['x-amzn-ErrorType'], 'ResourceNotFoundException');
  assert.deepEqual(JSON.parse(String(res.body)), { Message: 'Function not found: my-fn', Type: 'User' });
  // an error the model does not know: 400, or 500 for a server fault
  assert.equal(restJson.serializeError(lambdaModel, undefined, new ServiceError('Whatever', 'x'), ctx('lambda')).status, 400);
  assert.equal(
    restJson.serializeError(lambdaModel, undefined, new ServiceError('Boom', 'x', undefined, {}, false), ctx('lambda')).status,
    500,
  );
  // header-bound error members go to headers
  const throttled = restJson.serializeError(
    lambdaModel,
    'Invoke',
    new ServiceError('TooManyRequestsException', 'slow down', undefined, {
      retryAfterSeconds: '5',
      Reason: 'ConcurrentInvocationLimitExceeded',
    }),
    ctx('lambda'),
  );
  assert.equal(throttled.status, 429);
  assert.equal(throttled.headers['Retry-After'], '5');
  assert.deepEqual(JSON.parse(String(throttled.body)), { message: 'slow down', Reason: 'ConcurrentInvocationLimitExceeded' });
});

// ---------------------------------------------------------------- routing

test('S3 routing: shared templates resolve to the most specific operation', () => {
  const cases: Array<[string, string, string, Record<string, string>?]> = [
    ['GET', '/', 'ListBuckets'],
    ['GET', '/b', 'ListObjects'],
    ['GET', '/b/', 'ListObjects'],
    ['GET', '/b?list-type=2', 'ListObjectsV2'],
    ['GET', '/b?list-type=1', 'ListObjects'],
    ['GET', '/b?acl', 'GetBucketAcl'],
    ['GET', '/b?uploads', 'ListMultipartUploads'],
    ['GET', '/b/k/with/slashes', 'GetObject'],
    ['GET', '/b/k?acl', 'GetObjectAcl'],
    ['GET', '/b/k?uploadId=x', 'ListParts'],
    ['GET', '/b/k?x-id=GetObject', 'GetObject'],
    ['HEAD', '/b/k', 'HeadObject'],
    ['HEAD', '/b', 'HeadBucket'],
    ['PUT', '/b', 'CreateBucket'],
    ['PUT', '/b/k', 'PutObject'],
    ['PUT', '/b/k', 'CopyObject', { 'x-amz-copy-source': '/src/k' }],
    ['PUT', '/b/k?partNumber=1&uploadId=x', 'UploadPart'],
    ['PUT', '/b/k?partNumber=1&uploadId=x', 'UploadPartCopy', { 'x-amz-copy-source': '/src/k' }],
    ['PUT', '/b/k?tagging', 'PutObjectTagging'],
    ['POST', '/b?delete', 'DeleteObjects'],
    ['POST', '/b/k?uploads', 'CreateMultipartUpload'],
    ['POST', '/b/k?uploadId=x', 'CompleteMultipartUpload'],
    ['DELETE', '/b/k', 'DeleteObject'],
    ['DELETE', '/b/k?uploadId=x', 'AbortMultipartUpload'],
    ['DELETE', '/b', 'DeleteBucket'],
    ['GET', '/b?analytics', 'ListBucketAnalyticsConfigurations'],
    ['GET', '/b?analytics&id=x', 'GetBucketAnalyticsConfiguration'],
  ];
  for (const [method, target, expected, headers] of cases) {
    assert.equal(restXml.resolveOperation(s3Model, request(method, target, headers)), expected, `${method} ${target}`);
  }
  assert.equal(restXml.resolveOperation(s3Model, request('PATCH', '/b')), undefined);
  assert.equal(restXml.requestedOperation(request('GET', '/b')), undefined);
});

test('S3 routing: greedy labels keep slashes and are percent-decoded', () => {
  const req = request('GET', '/b/k/with/slashes');
  assert.deepEqual(restXml.parse(s3Model, 'GetObject', req), { Bucket: 'b', Key: 'k/with/slashes' });
  const odd = request('GET', '/my-bucket/a%2Fb//c%20d%2B+%E2%9C%93/');
  assert.deepEqual(restXml.parse(s3Model, restXml.resolveOperation(s3Model, odd)!, odd), { Bucket: 'my-bucket', Key: 'a/b//c d++✓/' });
});

test('Lambda routing: labels, literal query values', () => {
  const cases: Array<[string, string, string | undefined]> = [
    ['GET', '/2015-03-31/functions', 'ListFunctions'],
    ['GET', '/2015-03-31/functions/', 'ListFunctions'],
    ['POST', '/2015-03-31/functions', 'CreateFunction'],
    ['GET', '/2015-03-31/functions/f', 'GetFunction'],
    ['GET', '/2015-03-31/functions/f/configuration', 'GetFunctionConfiguration'],
    ['POST', '/2015-03-31/functions/f/invocations?Qualifier=1', 'Invoke'],
    ['GET', '/2019-09-30/functions/f/provisioned-concurrency?List=ALL', 'ListProvisionedConcurrencyConfigs'],
    ['GET', '/2019-09-30/functions/f/provisioned-concurrency?Qualifier=1', 'GetProvisionedConcurrencyConfig'],
    ['GET', '/2018-10-31/layers?find=LayerVersion&Arn=x', 'GetLayerVersionByArn'],
    ['GET', '/2018-10-31/layers', 'ListLayers'],
    ['GET', '/2015-03-31/nothing-here', undefined],
  ];
  for (const [method, target, expected] of cases) {
    assert.equal(restJson.resolveOperation(lambdaModel, request(method, target)), expected, `${method} ${target}`);
  }
});

// ---------------------------------------------------------------- bad input

function rejectsWith(fn: () => unknown, code: string, status = 400) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ServiceError, `expected a ServiceError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.status ?? 400, status);
    return true;
  });
}

test('rest-xml bad input: MalformedXML bodies, InvalidArgument values', () => {
  const complete = (body: string) => restXml.parse(s3Model, 'CompleteMultipartUpload', request('POST', '/b/k?uploadId=u', {}, body));
  for (const body of [
    '<CompleteMultipartUpload><Part>',
    'not xml',
    '<a></b>',
    '<a/><b/>',
    '<!DOCTYPE x [<!ENTITY e "x">]><a>&e;</a>',
    '<CompleteMultipartUpload><Part><PartNumber>one</PartNumber></Part></CompleteMultipartUpload>',
  ]) {
    rejectsWith(() => complete(body), 'MalformedXML');
  }
  const err = (() => {
    try {
      complete('<oops');
    } catch (e) {
      return e as ServiceError;
    }
  })();
  assert.equal(err?.message, 'The XML you provided was not well-formed or did not validate against our published schema');
  rejectsWith(() => restXml.parse(s3Model, 'ListObjectsV2', request('GET', '/b?list-type=2&max-keys=abc')), 'InvalidArgument');
  rejectsWith(
    () => restXml.parse(s3Model, 'CompleteMultipartUpload', request('POST', '/b/k?uploadId=u', { 'x-amz-mp-object-size': '12x' })),
    'InvalidArgument',
  );
  // well-formed input still parses, namespaces and all
  assert.deepEqual(
    complete(
      '<?xml version="1.0"?><s3:CompleteMultipartUpload xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/">' +
        '<s3:Part><s3:PartNumber> 3 </s3:PartNumber><s3:ETag>&quot;x&quot;&#10;<![CDATA[<y>]]></s3:ETag></s3:Part></s3:CompleteMultipartUpload>',
    ),
    { Bucket: 'b', Key: 'k', UploadId: 'u', MultipartUpload: { Parts: [{ PartNumber: 3, ETag: '"x"\n<y>' }] } },
  );
});

test('rest-json bad input: SerializationException', () => {
  const create = (body: string) => restJson.parse(lambdaModel, 'CreateFunction', request('POST', '/2015-03-31/functions', {}, body));
  for (const body of [
    '{"FunctionName": ',
    '[1, 2]',
    '"a string"',
    'null',
    '{"Timeout": "thirty"}',
    '{"Code": []}',
    '{"Code": {"ZipFile": 5}}',
  ]) {
    rejectsWith(() => create(body), 'SerializationException');
  }
  rejectsWith(
    () => restJson.parse(lambdaModel, 'ListFunctions', request('GET', '/2015-03-31/functions?MaxItems=ten')),
    'SerializationException',
  );
  // a blob payload is raw bytes, never JSON
  const invoke = restJson.parse(lambdaModel, 'Invoke', request('POST', '/2015-03-31/functions/f/invocations', {}, 'not json'));
  assert.deepEqual(invoke, { FunctionName: 'f', Payload: Buffer.from('not json') });
});

// No AWS rest-json model binds an integer, boolean, timestamp or mediaType string to a header, so Smithy's
// header cases (RestJsonHeader*MalformedValueRejected, *UnderflowOverflow, RestJsonHeaderMalformedStringInvalidBase64MediaType,
// MalformedTimestampHeader*) run against a model shaped like Smithy's test service.
test('rest-json header values follow Smithy: integers in range, exact booleans, http-date timestamps, base64 mediaType', () => {
  const member = (shape: string, locationName: string, extra = {}) => ({ shape, location: 'header' as const, locationName, ...extra });
  const model = new ServiceModel('t', {
    metadata: { apiVersion: '1', endpointPrefix: 't', protocol: 'rest-json', serviceId: 'T' },
    operations: { Malformed: { name: 'Malformed', http: { method: 'POST', requestUri: '/Malformed' }, input: { shape: 'In' } } },
    shapes: {
      In: {
        type: 'structure',
        members: {
          int: member('Int', 'integerInHeader'),
          long: member('Long', 'longInHeader'),
          byte: member('Byte', 'byteInHeader'),
          bool: member('Bool', 'booleanInHeader'),
          double: member('Double', 'doubleInHeader'),
          ts: member('Ts', 'timestampInHeader'),
          epoch: member('Ts', 'epochInHeader', { timestampFormat: 'unixTimestamp' }),
          json: member('Json', 'x-media-typed-header', { jsonvalue: true }),
        },
      },
      Int: { type: 'integer' },
      Long: { type: 'long' },
      Byte: { type: 'byte' },
      Bool: { type: 'boolean' },
      Double: { type: 'double' },
      Ts: { type: 'timestamp' },
      Json: { type: 'string' },
    },
  });
  const parse = (headers: Record<string, string>) => restJson.parse(model, 'Malformed', request('POST', '/Malformed', headers));
  for (const v of [
    'true',
    '1.001',
    '2ABC',
    '0x42',
    'Infinity',
    '-Infinity',
    'NaN',
    '2147483648',
    '-9223372000000000000',
    '123000000000000000000000',
  ]) {
    rejectsWith(() => parse({ integerinheader: v }), 'SerializationException');
  }
  for (const v of ['256', '-256', '1.001']) rejectsWith(() => parse({ byteinheader: v }), 'SerializationException');
  for (const v of ['-184467440737095500000', '184467440737095500000'])
    rejectsWith(() => parse({ longinheader: v }), 'SerializationException');
  for (const v of ['True', 'TRUE', 'y', 'yes', '1', 'on', 'False', 'n', 'no', '0', 'off'])
    rejectsWith(() => parse({ booleaninheader: v }), 'SerializationException');
  for (const v of ['true', '2ABC', '0x42']) rejectsWith(() => parse({ doubleinheader: v }), 'SerializationException');
  for (const v of ['1985-04-12T23:20:50.52Z', '1515531081', 'Tue, 29 Apr 2014 18:30:38'])
    rejectsWith(() => parse({ timestampinheader: v }), 'SerializationException');
  for (const v of ['Tue, 29 Apr 2014 18:30:38 GMT', '1985-04-12T23:20:50Z', '1515531081ABC'])
    rejectsWith(() => parse({ epochinheader: v }), 'SerializationException');
  for (const v of ['xyz', 'YmxvYg=', '[][]', '-_==']) rejectsWith(() => parse({ 'x-media-typed-header': v }), 'SerializationException');
  // what the SDKs send still parses
  assert.deepEqual(
    parse({
      integerinheader: '-2147483648',
      longinheader: '9007199254740993',
      byteinheader: '127',
      booleaninheader: 'false',
      doubleinheader: 'Infinity',
      timestampinheader: 'Tue, 29 Apr 2014 18:30:38 GMT',
      epochinheader: '1515531081.5',
      'x-media-typed-header': Buffer.from('{"a":1}').toString('base64'),
    }),
    {
      int: -2147483648,
      long: 9007199254740992,
      byte: 127,
      bool: false,
      double: Infinity,
      ts: new Date('2014-04-29T18:30:38Z'),
      epoch: new Date(1515531081500),
      json: { a: 1 },
    },
  );
});

// ---------------------------------------------------------------- helpers

test('header lists: quoted strings and HTTP dates', () => {
  assert.deepEqual(splitHeaderList('a, "b,c", "\\"def\\"", d', false), ['a', 'b,c', '"def"', 'd']);
  assert.deepEqual(splitHeaderList('Mon, 16 Dec 2019 23:48:18 GMT, Tue, 17 Dec 2019 23:48:18 GMT', true), [
    'Mon, 16 Dec 2019 23:48:18 GMT',
    'Tue, 17 Dec 2019 23:48:18 GMT',
  ]);
  assert.deepEqual(splitHeaderList('', false), []);
});

test('parseXml: attributes, prefixes, entities', () => {
  const root = parseXml(
    '\ufeff<?xml version="1.0"?><!-- c --><a:Root xmlns:a="urn:x" a:attr=\'1 &amp; 2\'><Child/><Child>t&#x41;</Child></a:Root>\n',
  );
  assert.equal(root.name, 'Root');
  assert.deepEqual(root.attrs, { attr: '1 & 2' });
  assert.deepEqual(
    root.children.map((c) => c.text),
    ['', 'tA'],
  );
});

test('routing: a deprecated twin on the same URI loses', () => {
  const op = (name: string, deprecated?: boolean) => ({
    name,
    http: { method: 'GET', requestUri: '/{Bucket}?lifecycle' },
    ...(deprecated ? { deprecated } : {}),
  });
  const model = new ServiceModel('t', {
    metadata: { apiVersion: '1', endpointPrefix: 't', protocol: 'rest-xml', serviceId: 'T' },
    operations: {
      GetBucketLifecycle: op('GetBucketLifecycle', true),
      GetBucketLifecycleConfiguration: op('GetBucketLifecycleConfiguration'),
    },
    shapes: {},
  });
  assert.equal(restXml.resolveOperation(model, request('GET', '/b?lifecycle')), 'GetBucketLifecycleConfiguration');
});
