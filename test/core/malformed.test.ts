// The "bad input" guarantee: hundreds of generated malformed requests, sent over raw sockets (the SDKs
// refuse to send junk). Each must get an AWS-shaped 4xx in the protocol the request spoke, within 5 s,
// and the server must keep serving afterwards.
//
// Cases are generated as families × variants. Each family has one assertion helper:
//   query      XML <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>
//   s3         XML bare <Error><Code/><Message/><RequestId/><HostId/></Error> (empty for HEAD)
//   json       JSON {__type, message}, X-Amzn-ErrorType, application/x-amz-json-1.x
//   rest-json  JSON {message}, X-Amzn-ErrorType
//   cbor       a CBOR map {__type, message}, Smithy-Protocol: rpc-v2-cbor
//   http       a bare 400/413/417/431 from node's HTTP parser, which rejects some requests before
//              Nimbus sees them (bad request line, header syntax, Content-Length, header overflow)
//
// 501 NotImplemented is the answer to a *well-formed* call of an operation Nimbus has a model but no
// provider for (KMS, CloudWatch, Lambda, …). A malformed body is refused before dispatch (parse comes
// first, as at AWS), so these services answer the cases here with 4xx all the same. 501 is accepted only
// where a case says so (`allow501`): an unsigned X-Amz-Target naming no service Nimbus knows.
//
// Requests the server must wait on by HTTP semantics (a body shorter than its Content-Length, headers
// never finished) are `hold` cases: the client half-closes after 200 ms; any answer must be a 4xx, and a
// valid request must be served right after.
// The harness (sockets, builders, error checks) is malformed-harness.ts; SigV4, aws-chunked and HTTP cases are malformed-wire.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Encoder } from 'cbor-x';
import { STSClient, GetCallerIdentityCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { serverForFile, clientConfig } from '../helpers.js';
import {
  type Case,
  type Code,
  type Expect,
  FORM,
  cborError,
  exchange,
  http,
  jsonError,
  queryError,
  randomBytes,
  restJsonError,
  s3Error,
  s3HeadError,
  signed,
  type Issued,
  STS_VERSION,
  CW_PATH,
  CBOR_HEADERS,
  LAMBDA,
  hex,
} from './malformed-harness.js';
import { chunkedCases, httpCases, sigv4Cases } from './malformed-wire.js';

/** Session credentials Nimbus issued: signatures made with them are verified. */
let issued: Issued;

const nimbus = serverForFile(async () => {
  const out = await new STSClient(clientConfig(nimbus.url)).send(new GetSessionTokenCommand({}));
  const c = out.Credentials!;
  issued = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
  // the bucket the S3 cases write to exists, so uploads get as far as their bodies
  const created = await fetch(`${nimbus.url}/bucket`, { method: 'PUT' });
  assert.equal(created.status, 200, await created.text());
});

// ---------------------------------------------------------------- query protocol (STS)

function queryCases(): Case[] {
  const cases: Case[] = [];
  // [name, form parameters, expected code]
  const params: Array<[string, string | Buffer, Code]> = [
    ['no parameters', '', 'MissingAction'],
    ['only Version', STS_VERSION, 'MissingAction'],
    ['empty Action', `Action=&${STS_VERSION}`, 'MissingAction'],
    ['Action without =', `Action&${STS_VERSION}`, 'MissingAction'],
    ['lowercase action key', `action=GetCallerIdentity&${STS_VERSION}`, 'MissingAction'],
    ...[
      'Bogus',
      'getcalleridentity',
      'GetCallerIdentity ',
      'GetCallerIdentity%00',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
    ].map((a): [string, string, Code] => [`unknown Action ${JSON.stringify(a)}`, `Action=${a}&${STS_VERSION}`, 'InvalidAction']),
    ...['1999-01-01', '2011-06-16', 'latest', '%ZZ', ''].map((v): [string, string, Code] => [
      `Version ${JSON.stringify(v)}`,
      `Action=GetCallerIdentity&Version=${v}`,
      'InvalidAction',
    ]),
    // bad percent-encoding where it matters: it must not decode to a valid value
    ['%ZZ in Action', `Action=GetCaller%ZZIdentity&${STS_VERSION}`, 'InvalidAction'],
    ['lone % in Action', `Action=GetCallerIdentity%&${STS_VERSION}`, 'InvalidAction'],
    ['truncated %E2%82 in Action', `Action=GetCallerIdentity%E2%82&${STS_VERSION}`, 'InvalidAction'],
    ['%ZZ in RoleArn', `Action=AssumeRole&${STS_VERSION}&RoleArn=arn%ZZ&RoleSessionName=s1`, 'ValidationError'],
    [
      'overlong UTF-8 %C0%AF in RoleSessionName',
      `Action=AssumeRole&${STS_VERSION}&RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=%C0%AF`,
      'ValidationError',
    ],
    [
      '%00 in RoleSessionName',
      `Action=AssumeRole&${STS_VERSION}&RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=a%00b`,
      'ValidationError',
    ],
    // huge names and values
    ...[64 * 1024, 1024 * 1024].flatMap((n): Array<[string, string, Code]> => [
      [`${n}-byte Action`, `Action=${'A'.repeat(n)}&${STS_VERSION}`, 'InvalidAction'],
      [
        `${n}-byte RoleSessionName`,
        `Action=AssumeRole&${STS_VERSION}&RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=${'s'.repeat(n)}`,
        'ValidationError',
      ],
      [
        `${n}-byte parameter name, RoleArn missing`,
        `Action=AssumeRole&${STS_VERSION}&RoleSessionName=s1&${'RoleArn'.repeat(n / 8)}=x`,
        'ValidationError',
      ],
      [
        `${n}-byte tag key`,
        `Action=AssumeRole&${STS_VERSION}&RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=s1&Tags.member.1.Key=${'k'.repeat(n)}&Tags.member.1.Value=v`,
        'ValidationError',
      ],
    ]),
    // numbers: DurationSeconds is an integer in [900, 129600]
    ...[
      'abc',
      '',
      ' ',
      '1e309',
      '-1e309',
      'Infinity',
      'NaN',
      '1.5',
      '3600.5',
      '0x10',
      '99999999999999999999',
      '-1',
      '３６００',
      '3600abc',
    ].map((d): [string, string, Code] => [
      `DurationSeconds=${JSON.stringify(d)}`,
      `Action=GetSessionToken&${STS_VERSION}&DurationSeconds=${encodeURIComponent(d)}`,
      /^(MalformedInput|ValidationError)$/,
    ]),
    // list indexes: the request also lacks RoleSessionName, so whatever the index does, it is a ValidationError
    ...['0', '-1', '99999999999', '1e3', '', 'a', '1.5', '00001', '9007199254740993', '1.1.1'].map((i): [string, string, Code] => [
      `Tags.member.${i}`,
      `Action=AssumeRole&${STS_VERSION}&RoleArn=arn:aws:iam::123456789012:role/r&Tags.member.${i}.Key=k&Tags.member.${i}.Value=v`,
      'ValidationError',
    ]),
    [
      'scalar where a list is modelled',
      `Action=AssumeRole&${STS_VERSION}&RoleArn=arn:aws:iam::123456789012:role/r&Tags=abc`,
      'ValidationError',
    ],
    [
      'scalar where a structure is modelled',
      `Action=AssumeRole&${STS_VERSION}&RoleArn=arn:aws:iam::123456789012:role/r&Tags.member.1=abc`,
      'ValidationError',
    ],
    // bytes that are not a form at all
    ...[1, 2, 3, 4, 5].map((seed): [string, Buffer, Code] => [`binary garbage #${seed}`, randomBytes(seed, 64 * seed), 'MissingAction']),
    [
      'body cut inside a UTF-8 sequence (Action)',
      Buffer.concat([Buffer.from(`${STS_VERSION}&Action=GetCallerIdentity`), Buffer.from([0xe2, 0x82])]),
      'InvalidAction',
    ],
    [
      'body cut inside a UTF-8 sequence (RoleSessionName)',
      Buffer.concat([
        Buffer.from(`Action=AssumeRole&${STS_VERSION}&RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=caf`),
        Buffer.from([0xc3]),
      ]),
      'ValidationError',
    ],
    [
      'invalid UTF-8 lead byte in Action',
      Buffer.concat([Buffer.from('Action=Get'), Buffer.from([0xff, 0xfe]), Buffer.from(`&${STS_VERSION}`)]),
      'InvalidAction',
    ],
  ];

  for (const [name, body, code] of params) {
    cases.push({ name: `POST form, ${name}`, request: http('POST', '/', { ...FORM, ...signed('sts') }, body), check: queryError(code) });
    // the same parameters in a GET query string (text only)
    if (typeof body === 'string' && body.length < 8000) {
      const check = /^(no parameters|only Version|empty Action|Action without =|lowercase)/.test(name)
        ? queryError('MissingAction')
        : queryError(code);
      cases.push({ name: `GET query, ${name}`, request: http('GET', `/?${body.replace(/ /g, '%20')}`, signed('sts')), check });
    }
  }
  // unsigned: routed by the host name, as the SDKs' STS endpoint does
  for (const [name, body, code] of params.slice(0, 12)) {
    cases.push({
      name: `unsigned POST form to sts.amazonaws.com, ${name}`,
      request: http('POST', '/', { ...FORM, Host: 'sts.us-east-1.amazonaws.com' }, body),
      check: queryError(code),
    });
  }
  return cases;
}

// ---------------------------------------------------------------- awsJson 1.0 / 1.1 (DynamoDB, KMS, SQS)

interface JsonService {
  name: string;
  signing: string;
  prefix: string;
  version: '1.0' | '1.1';
  queryCompatible: boolean;
  /** an operation and member-type mismatches for it */
  operation: string;
  wrongTypes: Array<[string, unknown]>;
  /** a recursive document (for 10,000-level nesting inside a modelled member) */
  deep?: (depth: number) => string;
}

const JSON_SERVICES: JsonService[] = [
  {
    name: 'DynamoDB',
    signing: 'dynamodb',
    prefix: 'DynamoDB_20120810',
    version: '1.0',
    queryCompatible: false,
    operation: 'Scan',
    wrongTypes: [
      ['string where a number is modelled (Limit)', { TableName: 't', Limit: '10' }],
      ['object where a string is modelled (TableName)', { TableName: { S: 't' } }],
      ['number where a string is modelled (TableName)', { TableName: 5 }],
      ['object where a list is modelled (AttributesToGet)', { TableName: 't', AttributesToGet: { a: 1 } }],
      ['string where a list is modelled (AttributesToGet)', { TableName: 't', AttributesToGet: 'a' }],
      ['list where a map is modelled (ExclusiveStartKey)', { TableName: 't', ExclusiveStartKey: [] }],
      ['string where a boolean is modelled (ConsistentRead)', { TableName: 't', ConsistentRead: 'true' }],
      ['number where a structure is modelled (ExclusiveStartKey value)', { TableName: 't', ExclusiveStartKey: { k: 5 } }],
    ],
    deep: (n) => `{"TableName":"t","ExclusiveStartKey":{"k":${'{"M":{"k":'.repeat(n)}{"S":"x"}${'}}'.repeat(n)}}}`,
  },
  {
    name: 'KMS',
    signing: 'kms',
    prefix: 'TrentService',
    version: '1.1',
    queryCompatible: false,
    operation: 'GenerateDataKey',
    wrongTypes: [
      ['string where a number is modelled (NumberOfBytes)', { KeyId: 'k', NumberOfBytes: 'many' }],
      ['object where a list is modelled (GrantTokens)', { KeyId: 'k', GrantTokens: {} }],
      ['list where a map is modelled (EncryptionContext)', { KeyId: 'k', EncryptionContext: ['a'] }],
      ['number in a string map (EncryptionContext)', { KeyId: 'k', EncryptionContext: { a: 1 } }],
      ['boolean where a string is modelled (KeyId)', { KeyId: true }],
      ['string where a boolean is modelled (DryRun)', { KeyId: 'k', DryRun: 'no' }],
    ],
  },
  {
    name: 'SQS',
    signing: 'sqs',
    prefix: 'AmazonSQS',
    version: '1.0',
    queryCompatible: true,
    operation: 'ReceiveMessage',
    wrongTypes: [
      ['string where a number is modelled (MaxNumberOfMessages)', { QueueUrl: 'u', MaxNumberOfMessages: 'ten' }],
      ['object where a list is modelled (AttributeNames)', { QueueUrl: 'u', AttributeNames: {} }],
      ['list where a string is modelled (QueueUrl)', { QueueUrl: ['u'] }],
      ['number where a string is modelled (ReceiveRequestAttemptId)', { QueueUrl: 'u', ReceiveRequestAttemptId: 1 }],
      ['string where a number is modelled (WaitTimeSeconds)', { QueueUrl: 'u', WaitTimeSeconds: '20' }],
    ],
  },
];

const DEPTH = 10_000;
const GENERIC_JSON_BODIES: Array<[string, string | Buffer]> = [
  ['not JSON', 'hello'],
  ['unclosed object', '{"a":'],
  ['trailing comma', '{"a":1,}'],
  ['single quotes', "{'a':1}"],
  ['two documents', '{}{}'],
  ['top-level array', '[]'],
  ['top-level string', '"x"'],
  ['top-level number', '42'],
  ['top-level null', 'null'],
  ['top-level true', 'true'],
  ['10,000-level nested arrays', '['.repeat(DEPTH) + ']'.repeat(DEPTH)],
  ['10,000-level nested objects, unclosed', '{"a":'.repeat(DEPTH)],
  ['invalid UTF-8 (lone 0xff)', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])],
  ['invalid UTF-8 (truncated sequence)', Buffer.concat([Buffer.from('{"a":"caf'), Buffer.from([0xc3]), Buffer.from('"}')])],
  ['UTF-16 BOM and text', Buffer.from('\ufeff{}', 'utf16le')],
  ['binary garbage', randomBytes(42, 256)],
  ['NUL bytes', Buffer.alloc(16)],
];

function jsonCases(): Case[] {
  const cases: Case[] = [];
  for (const s of JSON_SERVICES) {
    const ct = { 'Content-Type': `application/x-amz-json-${s.version}` };
    const call = (target: string, body: string | Buffer, headers: Record<string, string> = signed(s.signing)) =>
      http('POST', '/', { ...ct, ...headers, 'X-Amz-Target': target }, body);
    const err = (code: Code, e: Expect = {}) => jsonError(s.version, code, { ...e, queryCompatible: s.queryCompatible });
    const op = `${s.prefix}.${s.operation}`;
    for (const [name, body] of GENERIC_JSON_BODIES) {
      cases.push({ name: `${s.name} ${s.operation}: ${name}`, request: call(op, body), check: err('SerializationException') });
    }
    for (const [name, doc] of s.wrongTypes) {
      cases.push({
        name: `${s.name} ${s.operation}: ${name}`,
        request: call(op, JSON.stringify(doc)),
        check: err('SerializationException'),
      });
    }
    if (s.deep) {
      cases.push({
        name: `${s.name} ${s.operation}: 10,000-level nesting in a recursive member`,
        request: call(op, s.deep(DEPTH)),
        check: err('SerializationException'),
      });
    }
    // targets: unknown operations and malformed target headers
    for (const target of [
      `${s.prefix}.Bogus`,
      `${s.prefix}.`,
      `${s.prefix}.constructor`,
      `${s.prefix}.__proto__`,
      `${s.prefix}.toString`,
      s.prefix,
      `${s.prefix}.${s.operation}.Extra`,
      '.',
      '',
    ]) {
      cases.push({
        name: `${s.name}: X-Amz-Target ${JSON.stringify(target)}`,
        request: call(target, '{}'),
        check: err('UnknownOperationException'),
      });
    }
    // unsigned: the target alone routes
    cases.push({
      name: `${s.name} unsigned: X-Amz-Target without a dot`,
      request: call(s.prefix, '{}', {}),
      check: err('UnknownOperationException'),
    });
    cases.push({
      name: `${s.name} unsigned: unknown operation`,
      request: call(`${s.prefix}.Bogus`, '{}', {}),
      check: err('UnknownOperationException'),
    });
    cases.push({ name: `${s.name} unsigned: not JSON`, request: call(op, '{{{', {}), check: err('SerializationException') });
  }
  // unsigned, naming no service AWS has: nothing says which service is meant, so Nimbus answers NotImplemented
  // (501: the request may be well-formed for a service it does not know) — in JSON, the protocol spoken
  for (const target of ['Bogus.Operation', '.', 'NoDotAtAll']) {
    cases.push({
      name: `unsigned: X-Amz-Target ${JSON.stringify(target)} names no known service`,
      request: http('POST', '/', { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': target }, '{}'),
      check: jsonError('1.0', 'UnknownOperationException', { allow501: true }),
    });
  }
  return cases;
}

// ---------------------------------------------------------------- Smithy RPC v2 CBOR (CloudWatch)

const cborEncoder = new Encoder({ useRecords: false, tagUint8Array: false });
const cborText = (s: string) => Buffer.concat([Buffer.from([0x60 + s.length]), Buffer.from(s)]); // short strings only

function cborCases(): Case[] {
  const valid = cborEncoder.encode({ Namespace: 'AWS/EC2', MetricName: 'CPUUtilization', RecentlyActive: 'PT3H' }) as Buffer;
  const member = (name: string, value: Buffer) => Buffer.concat([hex('a1'), cborText(name), value]);
  const bodies: Array<[string, Buffer]> = [
    // truncated at several points
    ...[1, 2, 5, 10, 20, valid.length - 1].map((n): [string, Buffer] => [`valid map truncated to ${n} bytes`, valid.subarray(0, n)]),
    ['valid map plus trailing garbage', Buffer.concat([valid, hex('00 ff')])],
    // top-level items of the wrong major type
    ...(
      [
        ['unsigned int', '01'],
        ['negative int', '20'],
        ['byte string', '43 010203'],
        ['text string', '63 616263'],
        ['array', '82 01 02'],
        ['half float', 'f9 3c00'],
        ['double', 'fb 7ff8000000000000'],
        ['true', 'f5'],
        ['null', 'f6'],
        ['undefined', 'f7'],
        ['simple(16)', 'f0'],
      ] as const
    ).map(([what, h]): [string, Buffer] => [`top-level ${what}`, hex(h)]),
    // a lone break, reserved additional information
    ['lone break', hex('ff')],
    ['reserved additional information 28', hex('1c')],
    ['reserved additional information 30 in a map', hex('be')],
    // members of the wrong type
    ['number where a string is modelled', member('Namespace', hex('05'))],
    ['byte string where a string is modelled', member('Namespace', hex('43 414243'))],
    ['text where a list is modelled', member('Dimensions', cborText('x'))],
    ['map where a list is modelled', member('Dimensions', hex('a0'))],
    ['number inside a list of structures', member('Dimensions', hex('81 05'))],
    ['number where a boolean is modelled', member('IncludeLinkedAccounts', hex('01'))],
    ['text where a boolean is modelled', member('IncludeLinkedAccounts', cborText('true'))],
    // indefinite-length items never closed
    ['indefinite array never closed', hex('9f 01 02')],
    ['indefinite map never closed', Buffer.concat([hex('bf'), cborText('Namespace'), cborText('x')])],
    ['indefinite byte string never closed', hex('5f 41 61')],
    ['indefinite text string never closed', hex('7f 61 61')],
    ['indefinite text with a byte-string chunk', hex('7f 41 61 ff')],
    ['indefinite member value never closed', Buffer.concat([hex('a1'), cborText('Namespace'), hex('7f 61 61')])],
    // declared lengths far beyond the body
    ['byte string of 2^60 bytes', hex('5b 1000000000000000 00')],
    ['text string of 2^60 bytes', hex('7b 1000000000000000 61')],
    ['array of 2^60 items', hex('9b 1000000000000000 01')],
    ['map of 2^60 entries', hex('bb 1000000000000000 61 61 01')],
    ['byte string of 4 GiB', hex('5a ffffffff 00')],
    ['map of 2^32-1 entries', hex('ba ffffffff')],
    ['member text of 2^63 bytes', Buffer.concat([hex('a1'), cborText('Namespace'), hex('7b 7fffffffffffffff 61')])],
    // tags that do not belong
    ['epoch-time tag on the top-level map', Buffer.concat([hex('c1'), valid])],
    ['epoch-time tag on a string member', member('Namespace', hex('c1 01'))],
    ['bignum tag on a string member', member('Namespace', hex('c2 41 01'))],
    ['shared-reference tag without a shareable', member('Namespace', hex('d8 1d 00'))],
    [
      'generic-object tag (RegExp) on a string member',
      member('Namespace', Buffer.concat([hex('d8 1b 82'), cborText('RegExp'), cborText('(a+)+$')])),
    ],
    ['packed-values tag without a table', hex('d8 33 01')],
    ['typed-array tag on the top level', hex('d8 40 43 010203')],
    ['set tag on the top level', hex('d9 0102 80')],
    ['Map tag (259) on the top level', Buffer.concat([hex('d9 0103'), valid])],
    ['self-cycling shared reference', Buffer.concat([hex('d8 1c a1'), cborText('Namespace'), hex('d8 1d 00')])],
    // nesting
    ['100,000-level nested arrays', Buffer.concat([Buffer.alloc(100_000, 0x81), hex('01')])],
    [
      '10,000-level nested maps in a member',
      Buffer.concat([Buffer.from(Array.from({ length: DEPTH }, () => [0xa1, 0x61, 0x61]).flat()), hex('01')]),
    ],
    // random bytes (the first byte never starts a map, so they can never be a valid input)
    ...[11, 12, 13, 14, 15, 16, 17, 18].map((seed): [string, Buffer] => {
      const b = randomBytes(seed, 8 * seed);
      if (b[0] >= 0xa0 && b[0] <= 0xdf) b[0] ^= 0x40; // not a map (0xa0–0xbf), not a tag (0xc0–0xdf)
      return [`random bytes #${seed}`, b];
    }),
  ];
  const cases: Case[] = bodies.map(([name, body]) => ({
    name: `ListMetrics: ${name}`,
    request: http('POST', CW_PATH, { ...CBOR_HEADERS, ...signed('monitoring') }, body),
    check: cborError('SerializationException'),
  }));
  const paths: Array<[string, string]> = [
    ['unknown operation', '/service/GraniteServiceVersion20100801/operation/Bogus'],
    ['operation constructor', '/service/GraniteServiceVersion20100801/operation/constructor'],
    ['operation __proto__', '/service/GraniteServiceVersion20100801/operation/__proto__'],
    ['operation %ZZ', '/service/GraniteServiceVersion20100801/operation/%ZZ'],
    ['service %ZZ', '/service/%ZZ/operation/ListMetrics'],
    ['empty operation', '/service/GraniteServiceVersion20100801/operation/'],
    ['no /operation segment', '/service/GraniteServiceVersion20100801'],
    ['root path', '/'],
  ];
  for (const [name, path] of paths) {
    cases.push({
      name: `path: ${name}`,
      request: http('POST', path, { ...CBOR_HEADERS, ...signed('monitoring') }, valid),
      check: cborError(/^(UnknownOperationException|InvalidURI)$/),
    });
  }
  // unsigned: the path alone routes
  cases.push({
    name: 'unsigned: truncated map',
    request: http('POST', CW_PATH, CBOR_HEADERS, valid.subarray(0, 7)),
    check: cborError('SerializationException'),
  });
  cases.push({
    name: 'unsigned: unknown operation',
    request: http('POST', CW_PATH.replace('ListMetrics', 'Bogus'), CBOR_HEADERS, valid),
    check: cborError('UnknownOperationException'),
  });
  return cases;
}

// ---------------------------------------------------------------- rest-xml (S3) and rest-json (Lambda)

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('')}]>
<Tagging><TagSet><Tag><Key>k</Key><Value>&lol9;</Value></Tag></TagSet></Tagging>`;

const XML_BODIES: Array<[string, string | Buffer]> = [
  ['not XML', 'hello'],
  ['unclosed root', '<Tagging><TagSet>'],
  ['unclosed inner tag', '<Tagging><TagSet><Tag><Key>k</Key></TagSet></Tagging>'],
  ['mismatched closing tag', '<Tagging></Tag>'],
  ['wrong root element', '<Foo><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Foo>'],
  ['two root elements', '<Tagging/><Tagging/>'],
  ['text after the root', '<Tagging/>junk'],
  ['billion laughs (DOCTYPE with entities)', BILLION_LAUGHS],
  [
    'external entity (XXE)',
    '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]><Tagging><TagSet><Tag><Key>&x;</Key><Value>v</Value></Tag></TagSet></Tagging>',
  ],
  ['undefined entity', '<Tagging><TagSet><Tag><Key>&nope;</Key><Value>v</Value></Tag></TagSet></Tagging>'],
  ['character reference out of range', '<Tagging><TagSet><Tag><Key>&#x110000;</Key><Value>v</Value></Tag></TagSet></Tagging>'],
  ['unterminated CDATA', '<Tagging><![CDATA[abc</Tagging>'],
  ['unterminated comment', '<Tagging><!-- abc</Tagging>'],
  ['unquoted attribute', '<Tagging a=b></Tagging>'],
  ['10,000-level nesting, unclosed', '<a>'.repeat(DEPTH)],
  ['binary garbage', randomBytes(7, 300)],
  ['NUL bytes', Buffer.alloc(32)],
  ['JSON instead of XML', '{"TagSet":[]}'],
];

function s3Cases(): Case[] {
  const cases: Case[] = [];
  const put = (target: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    http('PUT', target, { 'Content-Type': 'application/xml', ...headers }, body);
  for (const [name, body] of XML_BODIES) {
    cases.push({ name: `PutBucketTagging: ${name}`, request: put('/bucket?tagging', body), check: s3Error('MalformedXML') });
    cases.push({ name: `PutObjectTagging: ${name}`, request: put('/bucket/key?tagging', body), check: s3Error('MalformedXML') });
  }
  cases.push({
    name: 'DeleteObjects: wrong root element',
    request: http('POST', '/bucket?delete', { 'Content-Type': 'application/xml' }, '<Tagging/>'),
    check: s3Error('MalformedXML'),
  });
  // query and header values a modelled number, boolean or timestamp cannot be read from
  // [name, target, headers, whether the HEAD twin (HeadBucket/HeadObject) models the value too]
  const get: Array<[string, string, Record<string, string>, boolean]> = [
    ['ListObjects max-keys=abc', '/bucket?max-keys=abc', {}, false],
    ['ListObjectsV2 max-keys=abc', '/bucket?list-type=2&max-keys=abc', {}, false],
    ['ListObjectsV2 max-keys=1.5', '/bucket?list-type=2&max-keys=1.5', {}, false],
    ['ListObjectsV2 max-keys beyond int32', '/bucket?list-type=2&max-keys=99999999999999999999', {}, false],
    ['ListObjectsV2 max-keys empty', '/bucket?list-type=2&max-keys=', {}, false],
    ['ListObjectsV2 fetch-owner=maybe', '/bucket?list-type=2&fetch-owner=maybe', {}, false],
    ['ListParts max-parts=-x', '/bucket/key?uploadId=u&max-parts=-x', {}, false],
    ['GetObject partNumber=abc', '/bucket/key?partNumber=abc', {}, true],
    ['GetObject partNumber=%ZZ', '/bucket/key?partNumber=%ZZ', {}, true],
    ['GetObject partNumber=1e3', '/bucket/key?partNumber=1e3', {}, true],
    ['GetObject partNumber beyond int32', '/bucket/key?partNumber=4294967297', {}, true],
    ['GetObject response-expires not a date', '/bucket/key?response-expires=yesterday', {}, true],
    ['GetObject x-amz-checksum-mode with a bad part number', '/bucket/key?partNumber=-', { 'x-amz-checksum-mode': 'ENABLED' }, true],
  ];
  for (const [name, target, headers, head] of get) {
    cases.push({ name, request: http('GET', target, headers), check: s3Error('InvalidArgument') });
    if (head)
      cases.push({
        name: `HEAD ${name.replace('GetObject', 'HeadObject')}`,
        request: http('HEAD', target, headers),
        head: true,
        check: s3HeadError(),
      });
  }
  cases.push({ name: 'unsupported method PROPFIND', request: http('PROPFIND', '/bucket', {}), check: s3Error('MethodNotAllowed') });
  // POST /bucket is the browser form upload (PostObject); a body that is no multipart form is S3's 412
  cases.push({
    name: 'POST to a bucket without a subresource, not a form',
    request: http('POST', '/bucket', {}, 'x'),
    check: s3Error('PreconditionFailed'),
  });
  return cases;
}

function lambdaCases(): Case[] {
  const cases: Case[] = [];
  const post = (body: string | Buffer) => http('POST', LAMBDA, { 'Content-Type': 'application/json', ...signed('lambda') }, body);
  for (const [name, body] of GENERIC_JSON_BODIES) {
    cases.push({ name: `CreateFunction: ${name}`, request: post(body), check: restJsonError('SerializationException') });
  }
  const wrongTypes: Array<[string, unknown]> = [
    ['number where a string is modelled (FunctionName)', { FunctionName: 5 }],
    ['string where a number is modelled (Timeout)', { FunctionName: 'f', Timeout: 'long' }],
    ['list where a map is modelled (Tags)', { FunctionName: 'f', Tags: ['a'] }],
    ['object where a list is modelled (Layers)', { FunctionName: 'f', Layers: {} }],
    ['string where a structure is modelled (Code)', { FunctionName: 'f', Code: 'zip' }],
    ['number where a blob is modelled (Code.ZipFile)', { FunctionName: 'f', Code: { ZipFile: 5 } }],
    ['string where a boolean is modelled (Publish)', { FunctionName: 'f', Publish: 'yes' }],
  ];
  for (const [name, doc] of wrongTypes)
    cases.push({ name: `CreateFunction: ${name}`, request: post(JSON.stringify(doc)), check: restJsonError('SerializationException') });
  for (const [name, target] of [
    ['MaxItems=abc', `${LAMBDA}?MaxItems=abc`],
    ['MaxItems=1e999', `${LAMBDA}?MaxItems=1e999`],
    ['MaxItems=-', `${LAMBDA}?MaxItems=-`],
  ]) {
    cases.push({ name: `ListFunctions ${name}`, request: http('GET', target, signed('lambda')), check: restJsonError() });
  }
  cases.push({
    name: 'Invoke: function name %ZZ',
    request: http('POST', `${LAMBDA}/%ZZ/invocations`, signed('lambda'), '{}'),
    check: restJsonError(),
  });
  cases.push({ name: 'unknown path', request: http('GET', '/2015-03-31/nothing-here', signed('lambda')), check: restJsonError() });
  cases.push({ name: 'DELETE on the collection', request: http('DELETE', LAMBDA, signed('lambda')), check: restJsonError() });
  return cases;
}

// ---------------------------------------------------------------- running

const FAMILIES: Array<[string, () => Case[]]> = [
  ['query protocol (STS)', queryCases],
  ['awsJson 1.0/1.1 (DynamoDB, KMS, SQS)', jsonCases],
  ['Smithy RPC v2 CBOR (CloudWatch)', cborCases],
  ['rest-xml (S3)', s3Cases],
  ['rest-json (Lambda)', lambdaCases],
  ['SigV4', () => sigv4Cases(issued)],
  ['aws-chunked', chunkedCases],
  ['HTTP level', httpCases],
];

const counts: Record<string, number> = {};

/** A valid call, answered correctly: the server is still up and sane. */
async function assertServing(): Promise<void> {
  const health = await fetch(`${nimbus.url}/_nimbus/health`);
  assert.equal(health.status, 200);
  await health.arrayBuffer();
}

for (const [family, make] of FAMILIES) {
  test(`malformed: ${family}`, async (t) => {
    const cases = make();
    counts[family] = cases.length;
    for (const c of cases) {
      await t.test(c.name, async () => {
        const outcome = await exchange(nimbus.port, c);
        if (process.env.MALFORMED_DEBUG) {
          const r = outcome.kind === 'reply' ? outcome.reply : undefined;
          console.log(
            `[${family}] ${c.name} → ${outcome.kind} ${r?.status ?? ''} ${r ? r.body.toString('latin1').slice(0, 160).replace(/\s+/g, ' ') : ''}`,
          );
        }
        c.check(outcome);
        if (c.hold) await assertServing();
      });
    }
    await assertServing();
  });
}

test('the server is still up and answers correctly', async () => {
  await assertServing();
  const me = await new STSClient(clientConfig(nimbus.url)).send(new GetCallerIdentityCommand({}));
  assert.equal(me.Account, '000000000000');
  assert.equal(me.Arn, 'arn:aws:iam::000000000000:root');
});

test('at least 200 generated malformed requests', () => {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  console.log(`malformed cases: ${JSON.stringify(counts)} total ${total}`);
  assert.ok(total >= 200, `only ${total} cases`);
});
