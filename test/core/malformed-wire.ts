// Malformed-request cases below the protocols: SigV4 signatures, aws-chunked bodies, and HTTP itself.
import assert from 'node:assert/strict';
import { formatAmzDate } from '../../src/gateway/sigv4.js';
import {
  type Case,
  type Code,
  FORM,
  HOST,
  type Headers,
  cborError,
  heldOpen,
  http,
  httpReject,
  jsonError,
  queryError,
  replyOf,
  restJsonError,
  s3Error,
  signed,
  type Issued,
  STS_VERSION,
  CW_PATH,
  CBOR_HEADERS,
  LAMBDA,
  hex,
} from './malformed-harness.js';

// ---------------------------------------------------------------- SigV4

export function sigv4Cases(issued: Issued): Case[] {
  const cases: Case[] = [];
  const now = new Date();
  const day = formatAmzDate(now).slice(0, 8);
  const cred = (service: string, key = issued.accessKeyId) => `${key}/${day}/us-east-1/${service}/aws4_request`;
  const sig = 'f'.repeat(64);
  const targets = [
    {
      name: 'STS',
      service: 'sts',
      build: (h: Record<string, string>) =>
        http('POST', '/', { ...FORM, Host: 'sts.us-east-1.amazonaws.com', ...h }, `Action=GetCallerIdentity&${STS_VERSION}`),
      err: queryError,
    },
    {
      name: 'DynamoDB',
      service: 'dynamodb',
      build: (h: Record<string, string>) =>
        http('POST', '/', { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'DynamoDB_20120810.ListTables', ...h }, '{}'),
      err: (c?: Code) => jsonError('1.0', c),
    },
    {
      name: 'S3',
      service: 's3',
      build: (h: Record<string, string>) => http('GET', '/bucket/key', { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...h }),
      err: s3Error,
    },
  ];
  for (const t of targets) {
    const s3 = t.service === 's3';
    const base = { 'X-Amz-Date': formatAmzDate(now), 'X-Amz-Security-Token': issued.sessionToken };
    const auth = (v: string, extra: Record<string, string> = {}) => ({ ...base, Authorization: v, ...extra });
    const malformed = s3 ? /^(AuthorizationHeaderMalformed|InvalidArgument|AccessDenied)$/ : 'IncompleteSignature';
    // json services call every signature mismatch (expired ones too) InvalidSignatureException
    const mismatch = t.name === 'DynamoDB' ? 'InvalidSignatureException' : 'SignatureDoesNotMatch';
    const variants: Array<[string, Record<string, string>, Code]> = [
      ['algorithm only', auth('AWS4-HMAC-SHA256'), malformed],
      ['empty Authorization', auth(''), malformed],
      ['wrong algorithm', auth(`AWS4-HMAC-SHA512 Credential=${cred(t.service)}, SignedHeaders=host, Signature=${sig}`), malformed],
      ['lowercase algorithm', auth(`aws4-hmac-sha256 Credential=${cred(t.service)}, SignedHeaders=host, Signature=${sig}`), malformed],
      ['missing Credential', auth(`AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=${sig}`), malformed],
      ['missing Signature', auth(`AWS4-HMAC-SHA256 Credential=${cred(t.service)}, SignedHeaders=host;x-amz-date`), malformed],
      ['missing SignedHeaders', auth(`AWS4-HMAC-SHA256 Credential=${cred(t.service)}, Signature=${sig}`), malformed],
      ['component without =', auth(`AWS4-HMAC-SHA256 Credential=${cred(t.service)}, SignedHeaders, Signature=${sig}`), malformed],
      [
        'garbage scope',
        auth(`AWS4-HMAC-SHA256 Credential=${issued.accessKeyId}/garbage/${t.service}, SignedHeaders=host;x-amz-date, Signature=${sig}`),
        s3 ? malformed : /^(IncompleteSignature|SignatureDoesNotMatch|InvalidSignatureException)$/,
      ],
      [
        'scope with six parts',
        auth(`AWS4-HMAC-SHA256 Credential=${cred(t.service)}/extra, SignedHeaders=host;x-amz-date, Signature=${sig}`),
        malformed,
      ],
      [
        'wrong terminator',
        auth(
          `AWS4-HMAC-SHA256 Credential=${cred(t.service).replace('aws4_request', 'aws5_request')}, SignedHeaders=host;x-amz-date, Signature=${sig}`,
        ),
        s3 ? malformed : mismatch,
      ],
      [
        'scope date not the X-Amz-Date',
        auth(
          `AWS4-HMAC-SHA256 Credential=${issued.accessKeyId}/19991231/us-east-1/${t.service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${sig}`,
        ),
        s3 ? malformed : mismatch,
      ],
      ['10 KB Authorization header', auth(`AWS4-HMAC-SHA256 ${'x'.repeat(10 * 1024)}`), malformed],
      [
        '10 KB Credential',
        auth(`AWS4-HMAC-SHA256 Credential=${'k'.repeat(10 * 1024)}, SignedHeaders=host;x-amz-date, Signature=${sig}`),
        malformed,
      ],
      [
        'no X-Amz-Date nor Date',
        {
          Authorization: `AWS4-HMAC-SHA256 Credential=${cred(t.service)}, SignedHeaders=host, Signature=${sig}`,
          'X-Amz-Security-Token': issued.sessionToken,
        },
        malformed,
      ],
      [
        'X-Amz-Date not ISO basic',
        auth(`AWS4-HMAC-SHA256 Credential=${cred(t.service)}, SignedHeaders=host;x-amz-date, Signature=${sig}`, {
          'X-Amz-Date': 'yesterday',
        }),
        malformed,
      ],
      [
        'X-Amz-Date month 13',
        auth(
          `AWS4-HMAC-SHA256 Credential=${issued.accessKeyId}/${day.slice(0, 4)}1301/us-east-1/${t.service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${sig}`,
          { 'X-Amz-Date': `${day.slice(0, 4)}1301T000000Z` },
        ),
        malformed,
      ],
      [
        'signed an hour ago',
        (() => {
          const then = new Date(now.getTime() - 3600_000);
          return {
            ...auth(
              `AWS4-HMAC-SHA256 Credential=${issued.accessKeyId}/${formatAmzDate(then).slice(0, 8)}/us-east-1/${t.service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${sig}`,
            ),
            'X-Amz-Date': formatAmzDate(then),
          };
        })(),
        s3 ? 'RequestTimeTooSkewed' : mismatch,
      ],
      [
        'signed an hour ahead',
        (() => {
          const then = new Date(now.getTime() + 3600_000);
          return {
            ...auth(
              `AWS4-HMAC-SHA256 Credential=${issued.accessKeyId}/${formatAmzDate(then).slice(0, 8)}/us-east-1/${t.service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${sig}`,
            ),
            'X-Amz-Date': formatAmzDate(then),
          };
        })(),
        s3 ? 'RequestTimeTooSkewed' : mismatch,
      ],
      [
        'wrong signature for an issued key',
        auth(`AWS4-HMAC-SHA256 Credential=${cred(t.service)}, SignedHeaders=host;x-amz-date, Signature=${sig}`),
        s3 ? 'SignatureDoesNotMatch' : mismatch,
      ],
      [
        'issued key without its session token',
        {
          'X-Amz-Date': formatAmzDate(now),
          Authorization: `AWS4-HMAC-SHA256 Credential=${cred(t.service)}, SignedHeaders=host;x-amz-date, Signature=${sig}`,
        },
        s3 ? 'InvalidAccessKeyId' : /^(InvalidClientTokenId|UnrecognizedClientException)$/,
      ],
      [
        'header signature and presigned query together',
        auth(`AWS4-HMAC-SHA256 Credential=${cred(t.service)}, SignedHeaders=host;x-amz-date, Signature=${sig}`),
        s3 ? 'InvalidArgument' : mismatch,
      ],
    ];
    for (const [name, headers, code] of variants) {
      let request = t.build(headers);
      if (name.startsWith('header signature and presigned')) {
        request = Buffer.from(
          request
            .toString('latin1')
            .replace(
              /^(\w+) (\/[^ ]*)/,
              (_, m, p) => `${m} ${p}${p.includes('?') ? '&' : '?'}X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=${sig}`,
            ),
          'latin1',
        );
      }
      if (name === 'signed an hour ago' || name === 'signed an hour ahead') {
        // non-S3 names the failure in the message
        const check = t.err(code);
        cases.push({
          name: `${t.name}: ${name}`,
          request,
          check: (o) => {
            check(o);
            if (!s3) assert.match(replyOf(o).body.toString(), /Signature (expired|not yet current)/);
          },
        });
        continue;
      }
      cases.push({ name: `${t.name}: ${name}`, request, check: t.err(code) });
    }
  }

  // presigned URLs
  const presigned = (service: string, path: string, q: Record<string, string>, extra = '') => {
    const when = formatAmzDate(now);
    const params: Record<string, string> = {
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': cred(service),
      'X-Amz-Date': when,
      'X-Amz-Expires': '300',
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Security-Token': issued.sessionToken,
      'X-Amz-Signature': sig,
      ...q,
    };
    const qs = Object.entries(params)
      .filter(([, v]) => v !== '\u0000')
      .map(([k, v]) => `${k}=${v.includes('%') ? v : encodeURIComponent(v)}`)
      .join('&');
    return http('GET', `${path}?${extra}${qs}`, {});
  };
  const hourAgo = formatAmzDate(new Date(now.getTime() - 3600_000));
  const hourAhead = formatAmzDate(new Date(now.getTime() + 3600_000));
  const presignedVariants: Array<[string, Record<string, string>, Code, Code]> = [
    // [name, query overrides ('\0' drops a parameter), S3 code, STS code]
    ['X-Amz-Date garbage', { 'X-Amz-Date': 'garbage' }, 'AuthorizationQueryParametersError', 'IncompleteSignature'],
    ['X-Amz-Date Feb 30', { 'X-Amz-Date': `${day.slice(0, 4)}0230T000000Z` }, 'AuthorizationQueryParametersError', 'IncompleteSignature'],
    ['X-Amz-Date empty', { 'X-Amz-Date': '' }, 'AuthorizationQueryParametersError', 'IncompleteSignature'],
    ['X-Amz-Date missing', { 'X-Amz-Date': '\u0000' }, 'AuthorizationQueryParametersError', 'IncompleteSignature'],
    // outside S3 X-Amz-Expires is not honoured (as AWS): those cases fail on the wrong signature instead
    ['X-Amz-Expires=-1', { 'X-Amz-Expires': '-1' }, 'AuthorizationQueryParametersError', 'SignatureDoesNotMatch'],
    ['X-Amz-Expires=999999999', { 'X-Amz-Expires': '999999999' }, 'AuthorizationQueryParametersError', 'SignatureDoesNotMatch'],
    ['X-Amz-Expires=abc', { 'X-Amz-Expires': 'abc' }, 'AuthorizationQueryParametersError', 'SignatureDoesNotMatch'],
    ['X-Amz-Expires missing', { 'X-Amz-Expires': '\u0000' }, 'AuthorizationQueryParametersError', 'SignatureDoesNotMatch'],
    ['X-Amz-Algorithm wrong', { 'X-Amz-Algorithm': 'AWS4-HMAC-SHA1' }, 'AuthorizationQueryParametersError', 'IncompleteSignature'],
    ['X-Amz-Signature missing', { 'X-Amz-Signature': '\u0000' }, 'AuthorizationQueryParametersError', 'IncompleteSignature'],
    ['X-Amz-Credential %ZZ', { 'X-Amz-Credential': '%ZZ' }, 'AuthorizationQueryParametersError', 'IncompleteSignature'],
    [
      'X-Amz-Credential with three parts',
      { 'X-Amz-Credential': `${issued.accessKeyId}/${day}/us-east-1` },
      'AuthorizationQueryParametersError',
      'IncompleteSignature',
    ],
    [
      'signed an hour ago, expiring after 60 s',
      { 'X-Amz-Date': hourAgo, 'X-Amz-Credential': cred('s3').replace(day, hourAgo.slice(0, 8)), 'X-Amz-Expires': '60' },
      'AccessDenied',
      'SignatureDoesNotMatch',
    ],
    [
      'signed an hour ahead',
      { 'X-Amz-Date': hourAhead, 'X-Amz-Credential': cred('s3').replace(day, hourAhead.slice(0, 8)) },
      'AccessDenied',
      'SignatureDoesNotMatch',
    ],
    ['wrong signature', {}, 'SignatureDoesNotMatch', 'SignatureDoesNotMatch'],
  ];
  for (const [name, q, s3Code, stsCode] of presignedVariants) {
    cases.push({ name: `S3 presigned: ${name}`, request: presigned('s3', '/bucket/key', q), check: s3Error(s3Code) });
    const stsQ = Object.fromEntries(Object.entries(q).map(([k, v]) => [k, k === 'X-Amz-Credential' ? v.replace('/s3/', '/sts/') : v]));
    cases.push({
      name: `STS presigned: ${name}`,
      request: presigned('sts', '/', stsQ, `Action=GetCallerIdentity&${STS_VERSION}&`),
      check: queryError(stsCode),
    });
  }
  return cases;
}

// ---------------------------------------------------------------- aws-chunked

export const CHUNKED_HEADERS = {
  'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
  'Content-Encoding': 'aws-chunked',
  'x-amz-trailer': 'x-amz-checksum-crc32',
};

export function chunkedCases(): Case[] {
  const xmlDoc = '<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>';
  const n = xmlDoc.length.toString(16);
  const trailer = 'x-amz-checksum-crc32:AAAAAA==\r\n\r\n';
  const framings: Array<[string, string, Code]> = [
    ['non-hex size', `zz\r\n${xmlDoc}\r\n0\r\n${trailer}`, 'IncompleteBody'],
    ['size with 0x prefix', `0x${n}\r\n${xmlDoc}\r\n0\r\n${trailer}`, 'IncompleteBody'],
    ['negative size', `-${n}\r\n${xmlDoc}\r\n0\r\n${trailer}`, 'IncompleteBody'],
    ['size with a space', `${n} \r\n${xmlDoc}\r\n0\r\n${trailer}`, 'IncompleteBody'],
    ['empty size line', `\r\n${xmlDoc}\r\n0\r\n${trailer}`, 'IncompleteBody'],
    ['size of 13 hex digits', `${'f'.repeat(13)}\r\n${xmlDoc}\r\n0\r\n${trailer}`, 'IncompleteBody'],
    ['size larger than the data', `ffff\r\n${xmlDoc}\r\n0\r\n${trailer}`, 'IncompleteBody'],
    ['size smaller than the data', `4\r\n${xmlDoc}\r\n0\r\n${trailer}`, 'IncompleteBody'],
    ['missing CRLF after the data', `${n}\r\n${xmlDoc}0\r\n${trailer}`, 'IncompleteBody'],
    ['bare LF after the size', `${n}\n${xmlDoc}\r\n0\r\n${trailer}`, 'IncompleteBody'],
    ['chunk extension of 5 KB', `${n};${'x'.repeat(5000)}\r\n${xmlDoc}\r\n0\r\n${trailer}`, 'IncompleteBody'],
    ['chunk extension never ended', `${n};chunk-signature=abc`, 'IncompleteBody'],
    ['truncated final chunk (no final CRLF)', `${n}\r\n${xmlDoc}\r\n0\r\n`, 'IncompleteBody'],
    ['truncated after the trailer', `${n}\r\n${xmlDoc}\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n`, 'IncompleteBody'],
    ['no final chunk', `${n}\r\n${xmlDoc}\r\n`, 'IncompleteBody'],
    ['data after the end', `${n}\r\n${xmlDoc}\r\n0\r\n${trailer}garbage`, 'IncompleteBody'],
    ['trailer without a colon', `${n}\r\n${xmlDoc}\r\n0\r\nx-amz-checksum-crc32 AAAAAA==\r\n\r\n`, 'MalformedTrailerError'],
    ['trailer with an empty name', `${n}\r\n${xmlDoc}\r\n0\r\n:AAAAAA==\r\n\r\n`, 'MalformedTrailerError'],
    [
      '64 KB of trailers',
      `${n}\r\n${xmlDoc}\r\n0\r\n${Array.from({ length: 2000 }, (_, i) => `x-amz-meta-t${i}:${'v'.repeat(40)}\r\n`).join('')}\r\n`,
      'MalformedTrailerError',
    ],
    ['empty body', '', 'IncompleteBody'],
    ['plain XML, not framed', xmlDoc, 'IncompleteBody'],
  ];
  const cases: Case[] = [];
  for (const [name, body, code] of framings) {
    // buffered (PutBucketTagging: the framing is removed before the XML is parsed)
    cases.push({ name: `PutBucketTagging: ${name}`, request: http('PUT', '/bucket?tagging', CHUNKED_HEADERS, body), check: s3Error(code) });
    // streamed (PutObject: the body is not buffered; it is read through the decoder before the answer)
    cases.push({ name: `PutObject: ${name}`, request: http('PUT', '/bucket/key', CHUNKED_HEADERS, body), check: s3Error(code) });
  }
  cases.push({
    name: 'PutObject: x-amz-decoded-content-length disagrees',
    request: http(
      'PUT',
      '/bucket/key',
      { ...CHUNKED_HEADERS, 'x-amz-decoded-content-length': '5' },
      `${n}\r\n${xmlDoc}\r\n0\r\n${trailer}`,
    ),
    check: s3Error('IncompleteBody'),
  });
  cases.push({
    name: 'PutObject: x-amz-decoded-content-length not a number',
    request: http(
      'PUT',
      '/bucket/key',
      { ...CHUNKED_HEADERS, 'x-amz-decoded-content-length': 'abc' },
      `${n}\r\n${xmlDoc}\r\n0\r\n${trailer}`,
    ),
    check: s3Error(/^(IncompleteBody|InvalidArgument)$/),
  });
  // the client stops sending in the middle of a chunk
  for (const [name, target] of [
    ['PutBucketTagging', '/bucket?tagging'],
    ['PutObject', '/bucket/key'],
  ]) {
    cases.push({
      name: `${name}: body shorter than Content-Length (held)`,
      request: http('PUT', target, CHUNKED_HEADERS, `${n}\r\n<Tag`, '500'),
      hold: true,
      check: heldOpen(),
    });
  }
  return cases;
}

// ---------------------------------------------------------------- HTTP level

export function httpCases(): Case[] {
  const cases: Case[] = [];
  const raw = (s: string) => Buffer.from(s, 'latin1');
  const stsBogus = `Action=Bogus&${STS_VERSION}`;
  const sts = (headers: Headers, target = '/') =>
    http(
      'POST',
      target,
      [...Object.entries(FORM), ...Object.entries(signed('sts')), ...(Array.isArray(headers) ? headers : Object.entries(headers))],
      stsBogus,
    );

  // rejected by node's parser: bare 400 (431 for header overflow), connection closed
  const rejected: Array<[string, Buffer, number | number[]]> = [
    ['garbage request line', raw('GARBAGE\r\n\r\n'), 400],
    ['unknown method', raw(`BREW / HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`), 400],
    ['lowercase method', raw(`get / HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`), 400],
    ['HTTP/9.9', raw(`GET / HTTP/9.9\r\nHost: ${HOST}\r\n\r\n`), [400, 505]],
    ['NUL in the request line', raw(`GET /\0 HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`), 400],
    ['space in the path', raw(`GET /a b HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`), 400],
    ['raw non-ASCII byte in the path', raw(`GET /\xe9\xe9 HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`), 400],
    ['DEL in the path', raw(`GET /a\x7fb HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`), 400],
    ['no Host (HTTP/1.1)', raw('GET / HTTP/1.1\r\nConnection: close\r\n\r\n'), 400],
    ['header without a colon', raw(`GET / HTTP/1.1\r\nHost: ${HOST}\r\nNoColonHere\r\n\r\n`), 400],
    ...[' ', '(', '@', '"', '\x01', '\x7f', 'é', '['].map((ch): [string, Buffer, number] => [
      `header name with ${JSON.stringify(ch)}`,
      raw(`GET / HTTP/1.1\r\nHost: ${HOST}\r\nX${ch}Bad: 1\r\n\r\n`),
      400,
    ]),
    ...['\x00', '\x01', '\x7f', '\r'].map((ch): [string, Buffer, number] => [
      `header value with ${JSON.stringify(ch)}`,
      raw(`GET / HTTP/1.1\r\nHost: ${HOST}\r\nX-Bad: a${ch}b\r\n\r\n`),
      400,
    ]),
    ['obsolete line folding', raw(`GET / HTTP/1.1\r\nHost: ${HOST}\r\nX-Folded: a\r\n b\r\n\r\n`), 400],
    ['64 KB header value', raw(`GET / HTTP/1.1\r\nHost: ${HOST}\r\nX-Big: ${'v'.repeat(64 * 1024)}\r\n\r\n`), 431],
    [
      '500 headers of 40 bytes',
      raw(
        `GET / HTTP/1.1\r\nHost: ${HOST}\r\n${Array.from({ length: 500 }, (_, i) => `X-H${String(i).padStart(4, '0')}: ${'v'.repeat(30)}\r\n`).join('')}\r\n`,
      ),
      431,
    ],
    ['17 KB URL', raw(`GET /${'a'.repeat(17 * 1024)} HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`), 431],
    ['Content-Length: -1', raw(`POST / HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: -1\r\n\r\n`), 400],
    ['Content-Length: abc', raw(`POST / HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: abc\r\n\r\n`), 400],
    ['Content-Length: 0x10', raw(`POST / HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: 0x10\r\n\r\n`), 400],
    ['two different Content-Lengths', raw(`POST / HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab`), 400],
    [
      'Transfer-Encoding and Content-Length',
      raw(`POST / HTTP/1.1\r\nHost: ${HOST}\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n`),
      400,
    ],
    ['Transfer-Encoding not ending in chunked', raw(`POST / HTTP/1.1\r\nHost: ${HOST}\r\nTransfer-Encoding: gzip\r\n\r\nabc`), 400],
    [
      'bad chunk size',
      raw(
        `POST / HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`,
      ),
      400,
    ],
    ['Expect: banana', raw(`POST / HTTP/1.1\r\nHost: ${HOST}\r\nExpect: banana\r\nContent-Length: 1\r\n\r\nx`), 417],
  ];
  for (const [name, request, status] of rejected) cases.push({ name, request, check: httpReject(status) });

  // reaching Nimbus despite oddities: the protocol's own error
  cases.push({ name: 'unsupported method PROPFIND on /', request: http('PROPFIND', '/', {}), check: s3Error('MethodNotAllowed') });
  cases.push({
    name: '500 small headers on a bad query call',
    request: sts(Array.from({ length: 500 }, (_, i): [string, string] => [`X-H${i}`, 'v'])),
    check: queryError('InvalidAction'),
  });
  cases.push({ name: '8 KB URL on a bad query call', request: sts({}, `/?${'p'.repeat(8 * 1024)}`), check: queryError('InvalidAction') });
  cases.push({
    name: 'absolute-form target on a bad query call',
    request: sts({}, 'http://sts.amazonaws.com/'),
    check: queryError('InvalidAction'),
  });
  for (const path of [
    '/%00',
    '/%ZZ',
    '//..//',
    '/../../etc/passwd',
    '/%2e%2e/%2e%2e/',
    '/%',
    '/%E2%82',
    '/%C0%AF',
    '/%C3%A9%C3%A9',
    '/a%2Fb',
  ]) {
    cases.push({
      name: `path ${JSON.stringify(path)} on a bad query call`,
      request: sts({}, path),
      check: queryError(/^(InvalidAction|InvalidURI)$/),
    });
    cases.push({
      name: `path ${JSON.stringify(path)} on a malformed DynamoDB call`,
      request: http(
        'POST',
        path,
        { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'DynamoDB_20120810.Scan', ...signed('dynamodb') },
        '{"TableName":5}',
      ),
      check: jsonError('1.0', /^(SerializationException|InvalidURI)$/),
    });
    cases.push({
      name: `path ${JSON.stringify(path)} with ?tagging and broken XML`,
      request: http('PUT', `${path}?tagging`, { 'Content-Type': 'application/xml' }, '<Tagging>'),
      check: s3Error(/^(MalformedXML|InvalidURI|MethodNotAllowed|InvalidBucketName)$/),
    });
    // a plain GET of such a path is an S3 call (ListObjects/GetObject) naming an odd bucket or key: S3's own error
    cases.push({ name: `GET ${JSON.stringify(path)} (S3)`, request: http('GET', path, {}), check: s3Error() });
  }

  // oversized bodies: 413 from the declared length, before any of it is sent
  const huge = String(200 * 1024 * 1024);
  cases.push({
    name: 'query body over 100 MiB',
    request: http('POST', '/', { ...FORM, ...signed('sts') }, '', huge),
    check: queryError('RequestEntityTooLarge', { status: 413 }),
  });
  cases.push({
    name: 'json body over 100 MiB',
    request: http('POST', '/', { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'DynamoDB_20120810.Scan' }, '', huge),
    check: jsonError('1.0', 'RequestEntityTooLarge', { status: 413 }),
  });
  cases.push({
    name: 'cbor body over 100 MiB',
    request: http('POST', CW_PATH, CBOR_HEADERS, '', huge),
    check: cborError('RequestEntityTooLarge', { status: 413 }),
  });
  cases.push({
    name: 'rest-xml body over 100 MiB',
    request: http('PUT', '/bucket?tagging', {}, '', huge),
    check: s3Error(/^(RequestEntityTooLarge|EntityTooLarge)$/, { status: [400, 413] }),
  });
  cases.push({
    name: 'rest-json body over 100 MiB',
    request: http('POST', LAMBDA, signed('lambda'), '', huge),
    check: restJsonError('RequestEntityTooLarge', { status: 413 }),
  });
  cases.push({
    name: 'query body over 100 MiB, Expect: 100-continue',
    request: http('POST', '/', { ...FORM, ...signed('sts'), Expect: '100-continue' }, '', huge),
    check: queryError('RequestEntityTooLarge', { status: 413 }),
  });

  // held: the body is shorter than its Content-Length, or the headers never end
  const held: Array<[string, Buffer]> = [
    ['query body shorter than Content-Length', http('POST', '/', { ...FORM, ...signed('sts') }, 'Action=GetCa', '100')],
    [
      'json body shorter than Content-Length',
      http('POST', '/', { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'DynamoDB_20120810.Scan' }, '{"Tab', '100'),
    ],
    ['cbor body shorter than Content-Length', http('POST', CW_PATH, CBOR_HEADERS, hex('a1 69'), '100')],
    ['S3 PutObject body shorter than Content-Length', http('PUT', '/bucket/key', {}, 'abc', '100')],
    ['admin body shorter than Content-Length', http('POST', '/_nimbus/clock', {}, '{"adv', '100')],
    ['headers never finished', raw(`GET / HTTP/1.1\r\nHost: ${HOST}\r\nX-Partial: 1\r\n`)],
    ['request line never finished', raw('GET /bucket/ke')],
    [
      'chunked body never terminated',
      raw(
        `POST / HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: DynamoDB_20120810.Scan\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"Tab\r\n`,
      ),
    ],
  ];
  for (const [name, request] of held) cases.push({ name: `${name} (held)`, request, hold: true, check: heldOpen() });
  return cases;
}
