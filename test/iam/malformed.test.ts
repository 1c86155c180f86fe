// Bad input to IAM over the raw query protocol: AWS-shaped errors, never a 500.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverForFile } from '../helpers.js';
import { formatAmzDate } from '../../src/gateway/sigv4.js';

const nimbus = serverForFile();

async function post(params: string): Promise<{ status: number; code: string; message: string }> {
  const date = formatAmzDate(new Date());
  const res = await fetch(`${nimbus.url}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      'x-amz-date': date,
      authorization: `AWS4-HMAC-SHA256 Credential=test/${date.slice(0, 8)}/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
    },
    body: `Version=2010-05-08&${params}`,
  });
  const text = await res.text();
  return {
    status: res.status,
    code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? '',
    message: /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? '',
  };
}

const doc = (s: string) => encodeURIComponent(s);
const cases: [string, string, number, string, string?][] = [
  ['a missing required name', 'Action=CreateUser', 400, 'ValidationError'],
  ['a non-numeric MaxItems', 'Action=ListUsers&MaxItems=abc', 400, 'MalformedInput'],
  [
    'a policy document that is a JSON array',
    `Action=CreatePolicy&PolicyName=p&PolicyDocument=${doc('[]')}`,
    400,
    'MalformedPolicyDocument',
    'Syntax errors in policy.',
  ],
  [
    'a trust policy that is null',
    `Action=CreateRole&RoleName=r&AssumeRolePolicyDocument=null`,
    400,
    'MalformedPolicyDocument',
    'Syntax errors in policy.',
  ],
  [
    'a managed policy over 6144 characters',
    `Action=CreatePolicy&PolicyName=big&PolicyDocument=${doc(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: Array.from({ length: 700 }, (_, i) => `s3:Op${i}`), Resource: '*' }] }))}`,
    409,
    'LimitExceeded',
    'Cannot exceed quota for PolicySize: 6144',
  ],
  [
    'a statement with a Condition that is a string',
    `Action=CreatePolicy&PolicyName=c&PolicyDocument=${doc('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":"x"}}')}`,
    400,
    'MalformedPolicyDocument',
  ],
  [
    'an unknown statement field',
    `Action=CreatePolicy&PolicyName=c&PolicyDocument=${doc('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Colour":"red"}}')}`,
    400,
    'MalformedPolicyDocument',
  ],
  [
    'a deeply nested JSON',
    `Action=CreatePolicy&PolicyName=d&PolicyDocument=${doc('['.repeat(2000) + ']'.repeat(2000))}`,
    400,
    'MalformedPolicyDocument',
  ],
  [
    'a simulation of no entity ARN',
    'Action=SimulatePrincipalPolicy&PolicySourceArn=arn:aws:iam::000000000000:thing/x&ActionNames.member.1=s3:GetObject',
    400,
    'InvalidInput',
  ],
  [
    'a version of a policy that does not exist',
    'Action=GetPolicyVersion&PolicyArn=arn:aws:iam::000000000000:policy/none&VersionId=v1',
    404,
    'NoSuchEntity',
  ],
  ['an invalid path', 'Action=CreateUser&UserName=x&Path=nopath', 400, 'ValidationError'],
];

for (const [name, params, status, code, message] of cases) {
  test(`bad input: ${name} → ${code}`, async () => {
    const r = await post(params);
    assert.equal(r.code, code, r.message);
    assert.equal(r.status, status);
    if (message) assert.equal(r.message, message);
  });
}
