// The policy evaluator against a table of cases from IAM's documented evaluation logic: the policy
// set, the request, the decision and the statement (Sid) that decided.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePolicy } from '../../src/services/iam/policy/parse.js';
import {
  evaluate,
  denialMessage,
  type EvalRequest,
  type RequestPrincipal,
  type PolicySet,
} from '../../src/services/iam/policy/evaluate.js';
import { ServiceError } from '../../src/services/errors.js';

type St = Record<string, unknown>;
interface Case {
  n: string;
  identity?: St[][];
  boundary?: St[];
  session?: St[];
  resource?: St[];
  req?: Partial<EvalRequest>;
  want: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';
  sid?: string;
  type?: string;
}

const A = '111122223333';
const B = '444455556666';
const bob: RequestPrincipal = { kind: 'user', account: A, arn: `arn:aws:iam::${A}:user/bob` };
const sess: RequestPrincipal = {
  kind: 'assumed-role',
  account: A,
  arn: `arn:aws:sts::${A}:assumed-role/app/s1`,
  roleArn: `arn:aws:iam::${A}:role/app`,
};
const rootA: RequestPrincipal = { kind: 'root', account: A, arn: `arn:aws:iam::${A}:root` };
const anon: RequestPrincipal = { kind: 'anonymous', account: A, arn: '*' };
const carolB: RequestPrincipal = { kind: 'user', account: B, arn: `arn:aws:iam::${B}:user/carol` };

const allow = (Action: unknown, Resource: unknown = '*', extra: St = {}): St => ({
  Sid: 'Allow' + Object.keys(extra).join(''),
  Effect: 'Allow',
  Action,
  Resource,
  ...extra,
});
const deny = (Action: unknown, Resource: unknown = '*', extra: St = {}): St => ({
  Sid: 'Deny' + Object.keys(extra).join(''),
  Effect: 'Deny',
  Action,
  Resource,
  ...extra,
});
const sid = (s: St, Sid: string): St => ({ ...s, Sid });
const obj = 'arn:aws:s3:::photos/cat.jpg';

const cases: Case[] = [
  // the basics: implicit deny, allow, explicit deny first
  { n: 'no policy at all is an implicit deny', req: {}, want: 'ImplicitDeny', type: 'identity-based policy' },
  { n: 'an exact action and resource allow', identity: [[allow('s3:GetObject', obj)]], want: 'Allow', sid: 'Allow' },
  { n: 'another action is not allowed', identity: [[allow('s3:GetObject', obj)]], req: { action: 's3:PutObject' }, want: 'ImplicitDeny' },
  {
    n: 'another resource is not allowed',
    identity: [[allow('s3:GetObject', obj)]],
    req: { resource: 'arn:aws:s3:::photos/dog.jpg' },
    want: 'ImplicitDeny',
  },
  {
    n: 'explicit deny beats allow in the same policy',
    identity: [[allow('s3:*'), deny('s3:GetObject')]],
    want: 'ExplicitDeny',
    sid: 'Deny',
  },
  {
    n: 'explicit deny beats allow in another policy',
    identity: [[allow('*')], [deny('s3:*', 'arn:aws:s3:::photos/*')]],
    want: 'ExplicitDeny',
    sid: 'Deny',
  },
  { n: 'a deny of another action does not deny', identity: [[allow('*'), deny('s3:PutObject')]], want: 'Allow' },
  { n: 'a deny of another resource does not deny', identity: [[allow('*'), deny('*', 'arn:aws:s3:::other/*')]], want: 'Allow' },
  // action wildcards and case
  { n: 'action * allows all', identity: [[allow('*')]], want: 'Allow' },
  { n: 'service wildcard s3:*', identity: [[allow('s3:*')]], want: 'Allow' },
  { n: 'prefix wildcard s3:Get*', identity: [[allow('s3:Get*')]], want: 'Allow' },
  { n: 'prefix wildcard s3:Put* does not match GetObject', identity: [[allow('s3:Put*')]], want: 'ImplicitDeny' },
  { n: 'action names are case-insensitive', identity: [[allow('S3:getobject')]], want: 'Allow' },
  { n: 'action ? matches one character', identity: [[allow('s3:GetObjec?')]], want: 'Allow' },
  { n: 'action ? does not match two characters', identity: [[allow('s3:GetObje?')]], want: 'ImplicitDeny' },
  { n: 'infix wildcard s3:*Object', identity: [[allow('s3:*Object')]], want: 'Allow' },
  { n: 'action list: one matches', identity: [[allow(['sqs:SendMessage', 's3:GetObject'])]], want: 'Allow' },
  { n: 'action list: none matches', identity: [[allow(['sqs:SendMessage', 's3:PutObject'])]], want: 'ImplicitDeny' },
  { n: 'another service with the same operation name', identity: [[allow('s4:GetObject')]], want: 'ImplicitDeny' },
  // NotAction
  {
    n: 'NotAction allows everything else',
    identity: [[{ Sid: 'NA', Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }]],
    want: 'Allow',
    sid: 'NA',
  },
  {
    n: 'NotAction does not allow the listed action',
    identity: [[{ Effect: 'Allow', NotAction: 's3:*', Resource: '*' }]],
    want: 'ImplicitDeny',
  },
  {
    n: 'Deny with NotAction denies everything else',
    identity: [[allow('*'), { Sid: 'DNA', Effect: 'Deny', NotAction: 'iam:*', Resource: '*' }]],
    want: 'ExplicitDeny',
    sid: 'DNA',
  },
  {
    n: 'Deny with NotAction spares the listed action',
    identity: [[allow('*'), { Effect: 'Deny', NotAction: 's3:GetObject', Resource: '*' }]],
    want: 'Allow',
  },
  { n: 'NotAction list', identity: [[{ Effect: 'Allow', NotAction: ['iam:*', 'sts:*'], Resource: '*' }]], want: 'Allow' },
  // resources
  { n: 'resource * matches', identity: [[allow('s3:GetObject', '*')]], want: 'Allow' },
  { n: 'bucket/* matches an object', identity: [[allow('s3:GetObject', 'arn:aws:s3:::photos/*')]], want: 'Allow' },
  {
    n: 'bucket/* does not match the bucket',
    identity: [[allow('s3:ListBucket', 'arn:aws:s3:::photos/*')]],
    req: { action: 's3:ListBucket', resource: 'arn:aws:s3:::photos' },
    want: 'ImplicitDeny',
  },
  {
    n: 'the bucket ARN matches the bucket',
    identity: [[allow('s3:ListBucket', 'arn:aws:s3:::photos')]],
    req: { action: 's3:ListBucket', resource: 'arn:aws:s3:::photos' },
    want: 'Allow',
  },
  { n: 'resource ARNs are case-sensitive', identity: [[allow('s3:GetObject', 'arn:aws:s3:::Photos/*')]], want: 'ImplicitDeny' },
  { n: 'resource ? wildcard', identity: [[allow('s3:GetObject', 'arn:aws:s3:::photos/ca?.jpg')]], want: 'Allow' },
  {
    n: 'resource * spans slashes',
    identity: [[allow('s3:GetObject', 'arn:aws:s3:::*')]],
    req: { resource: 'arn:aws:s3:::a/b/c' },
    want: 'Allow',
  },
  { n: 'resource list: second matches', identity: [[allow('s3:GetObject', ['arn:aws:s3:::x/*', 'arn:aws:s3:::photos/*'])]], want: 'Allow' },
  {
    n: 'sqs queue ARN with region wildcard',
    identity: [[allow('sqs:SendMessage', 'arn:aws:sqs:*:111122223333:jobs')]],
    req: { action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:111122223333:jobs' },
    want: 'Allow',
  },
  {
    n: 'sqs queue ARN of another account',
    identity: [[allow('sqs:SendMessage', 'arn:aws:sqs:*:999999999999:jobs')]],
    req: { action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:111122223333:jobs' },
    want: 'ImplicitDeny',
  },
  {
    n: 'dynamodb table and its indexes',
    identity: [[allow('dynamodb:Query', 'arn:aws:dynamodb:us-east-1:111122223333:table/t/*')]],
    req: { action: 'dynamodb:Query', resource: 'arn:aws:dynamodb:us-east-1:111122223333:table/t/index/i' },
    want: 'Allow',
  },
  // NotResource
  {
    n: 'NotResource allows other resources',
    identity: [[{ Effect: 'Allow', Action: 's3:*', NotResource: 'arn:aws:s3:::secret/*' }]],
    want: 'Allow',
  },
  {
    n: 'NotResource does not allow the listed resource',
    identity: [[{ Effect: 'Allow', Action: 's3:*', NotResource: 'arn:aws:s3:::photos/*' }]],
    want: 'ImplicitDeny',
  },
  {
    n: 'Deny with NotResource denies all but the listed',
    identity: [[allow('*'), { Sid: 'DNR', Effect: 'Deny', Action: '*', NotResource: 'arn:aws:s3:::other/*' }]],
    want: 'ExplicitDeny',
    sid: 'DNR',
  },
  {
    n: 'Deny with NotResource spares the listed',
    identity: [[allow('*'), { Effect: 'Deny', Action: '*', NotResource: 'arn:aws:s3:::photos/*' }]],
    want: 'Allow',
  },
  // policy variables
  {
    n: '${aws:username} in a resource',
    identity: [[allow('s3:GetObject', 'arn:aws:s3:::home/${aws:username}/*')]],
    req: { resource: 'arn:aws:s3:::home/bob/notes.txt', keys: { 'aws:username': 'bob' } },
    want: 'Allow',
  },
  {
    n: '${aws:username} does not match another user',
    identity: [[allow('s3:GetObject', 'arn:aws:s3:::home/${aws:username}/*')]],
    req: { resource: 'arn:aws:s3:::home/alice/notes.txt', keys: { 'aws:username': 'bob' } },
    want: 'ImplicitDeny',
  },
  {
    n: 'a variable with no value does not match',
    identity: [[allow('s3:GetObject', 'arn:aws:s3:::home/${aws:username}/*')]],
    req: { resource: 'arn:aws:s3:::home//x', keys: {} },
    want: 'ImplicitDeny',
  },
  {
    n: 'a variable default value',
    identity: [[allow('s3:GetObject', "arn:aws:s3:::home/${aws:PrincipalTag/team, 'shared'}/*")]],
    req: { resource: 'arn:aws:s3:::home/shared/x', keys: {} },
    want: 'Allow',
  },
  {
    n: 'a principal tag variable',
    identity: [[allow('s3:GetObject', 'arn:aws:s3:::teams/${aws:PrincipalTag/team}/*')]],
    req: { resource: 'arn:aws:s3:::teams/blue/x', keys: { 'aws:principaltag/team': 'blue' } },
    want: 'Allow',
  },
  {
    n: 'variables are literal in the 2008 grammar',
    version: '2008-10-17',
    identity: [[allow('s3:GetObject', 'arn:aws:s3:::home/${aws:username}/*')]],
    req: { resource: 'arn:aws:s3:::home/bob/x', keys: { 'aws:username': 'bob' } },
    want: 'ImplicitDeny',
  } as Case,
  {
    n: '${*} is a literal star',
    identity: [[allow('s3:GetObject', 'arn:aws:s3:::star/${*}')]],
    req: { resource: 'arn:aws:s3:::star/*' },
    want: 'Allow',
  },
  {
    n: '${*} does not act as a wildcard',
    identity: [[allow('s3:GetObject', 'arn:aws:s3:::star/${*}')]],
    req: { resource: 'arn:aws:s3:::star/x' },
    want: 'ImplicitDeny',
  },
  {
    n: 'a variable in a condition value',
    identity: [[allow('s3:ListBucket', '*', { Condition: { StringLike: { 's3:prefix': 'home/${aws:username}/*' } } })]],
    req: { action: 's3:ListBucket', keys: { 'aws:username': 'bob', 's3:prefix': 'home/bob/docs' } },
    want: 'Allow',
  },
  {
    n: 'a variable in a condition value, other prefix',
    identity: [[allow('s3:ListBucket', '*', { Condition: { StringLike: { 's3:prefix': 'home/${aws:username}/*' } } })]],
    req: { action: 's3:ListBucket', keys: { 'aws:username': 'bob', 's3:prefix': 'home/eve/docs' } },
    want: 'ImplicitDeny',
  },
  // permissions boundaries
  { n: 'boundary and identity both allow', identity: [[allow('s3:*')]], boundary: [allow('s3:GetObject')], want: 'Allow' },
  {
    n: 'boundary does not allow: implicit deny by the boundary',
    identity: [[allow('s3:*')]],
    boundary: [allow('sqs:*')],
    want: 'ImplicitDeny',
    type: 'permissions boundary',
  },
  {
    n: 'boundary allows but identity does not',
    identity: [[allow('sqs:*')]],
    boundary: [allow('*')],
    want: 'ImplicitDeny',
    type: 'identity-based policy',
  },
  {
    n: 'boundary explicit deny',
    identity: [[allow('*')]],
    boundary: [allow('*'), deny('s3:GetObject')],
    want: 'ExplicitDeny',
    type: 'permissions boundary',
  },
  { n: 'empty boundary allows nothing', identity: [[allow('*')]], boundary: [], want: 'ImplicitDeny', type: 'permissions boundary' },
  {
    n: 'boundary does not narrow a resource policy naming the user',
    boundary: [allow('sqs:*')],
    resource: [allow('s3:GetObject', obj, { Principal: { AWS: bob.arn } })],
    want: 'Allow',
  },
  {
    n: 'boundary narrows a resource policy naming the role',
    req: { principal: sess },
    boundary: [allow('sqs:*')],
    resource: [allow('s3:GetObject', obj, { Principal: { AWS: sess.roleArn } })],
    want: 'ImplicitDeny',
    type: 'permissions boundary',
  },
  // session policies
  {
    n: 'session policy and role both allow',
    req: { principal: sess },
    identity: [[allow('s3:*')]],
    session: [allow('s3:GetObject')],
    want: 'Allow',
  },
  {
    n: 'session policy narrower than the role',
    req: { principal: sess, action: 's3:PutObject' },
    identity: [[allow('s3:*')]],
    session: [allow('s3:GetObject')],
    want: 'ImplicitDeny',
    type: 'session policy',
  },
  {
    n: 'session policy cannot widen the role',
    req: { principal: sess, action: 'sqs:SendMessage' },
    identity: [[allow('s3:*')]],
    session: [allow('*')],
    want: 'ImplicitDeny',
    type: 'identity-based policy',
  },
  {
    n: 'session policy explicit deny',
    req: { principal: sess },
    identity: [[allow('*')]],
    session: [allow('*'), deny('s3:GetObject')],
    want: 'ExplicitDeny',
    type: 'session policy',
  },
  {
    n: 'several session policies: any allows',
    req: { principal: sess },
    identity: [[allow('*')]],
    session: [allow('sqs:*'), allow('s3:GetObject')],
    want: 'Allow',
  },
  {
    n: 'session policy does not narrow a resource policy naming the session',
    req: { principal: sess },
    session: [allow('sqs:*')],
    resource: [allow('s3:GetObject', obj, { Principal: { AWS: sess.arn } })],
    want: 'Allow',
  },
  {
    n: 'session policy narrows a resource policy naming the role',
    req: { principal: sess },
    session: [allow('sqs:*')],
    resource: [allow('s3:GetObject', obj, { Principal: { AWS: sess.roleArn } })],
    want: 'ImplicitDeny',
    type: 'session policy',
  },
  {
    n: 'session policy allows what a resource policy naming the role grants',
    req: { principal: sess },
    session: [allow('s3:*')],
    resource: [allow('s3:GetObject', obj, { Principal: { AWS: sess.roleArn } })],
    want: 'Allow',
  },
  // resource policies, same account
  {
    n: 'resource policy alone grants a named user',
    resource: [allow('s3:GetObject', obj, { Principal: { AWS: bob.arn } })],
    want: 'Allow',
    sid: 'AllowPrincipal',
  },
  {
    n: 'resource policy naming another user does not grant',
    resource: [allow('s3:GetObject', obj, { Principal: { AWS: `arn:aws:iam::${A}:user/alice` } })],
    want: 'ImplicitDeny',
  },
  {
    n: 'resource policy naming the account delegates to identity policies',
    resource: [allow('s3:GetObject', obj, { Principal: { AWS: A } })],
    want: 'ImplicitDeny',
    type: 'identity-based policy',
  },
  {
    n: 'resource policy naming the account plus an identity allow',
    identity: [[allow('s3:GetObject')]],
    resource: [allow('s3:GetObject', obj, { Principal: { AWS: `arn:aws:iam::${A}:root` } })],
    want: 'Allow',
  },
  {
    n: 'resource policy Principal * grants in the same account',
    resource: [allow('s3:GetObject', obj, { Principal: '*' })],
    want: 'Allow',
  },
  { n: 'resource policy Principal {AWS:*} grants', resource: [allow('s3:GetObject', obj, { Principal: { AWS: '*' } })], want: 'Allow' },
  {
    n: 'resource policy explicit deny beats identity allow',
    identity: [[allow('*')]],
    resource: [deny('s3:GetObject', obj, { Principal: '*' })],
    want: 'ExplicitDeny',
    type: 'resource-based policy',
  },
  {
    n: 'resource policy deny for another principal only',
    identity: [[allow('*')]],
    resource: [deny('s3:GetObject', obj, { Principal: { AWS: `arn:aws:iam::${A}:user/alice` } })],
    want: 'Allow',
  },
  {
    n: 'resource policy grants a role session by its role ARN',
    req: { principal: sess },
    resource: [allow('s3:GetObject', obj, { Principal: { AWS: sess.roleArn } })],
    want: 'Allow',
  },
  {
    n: 'resource policy grants the session by its ARN',
    req: { principal: sess },
    resource: [allow('s3:GetObject', obj, { Principal: { AWS: sess.arn } })],
    want: 'Allow',
  },
  {
    n: 'resource policy for a service principal',
    req: { principal: { kind: 'service', account: A, arn: 'lambda.amazonaws.com', service: 'lambda.amazonaws.com' } },
    resource: [allow('s3:GetObject', obj, { Principal: { Service: 'lambda.amazonaws.com' } })],
    want: 'Allow',
  },
  {
    n: 'resource policy for another service principal',
    req: { principal: { kind: 'service', account: A, arn: 'sns.amazonaws.com', service: 'sns.amazonaws.com' } },
    resource: [allow('s3:GetObject', obj, { Principal: { Service: 'lambda.amazonaws.com' } })],
    want: 'ImplicitDeny',
  },
  {
    n: 'NotPrincipal allow grants others',
    resource: [
      { Sid: 'NP', Effect: 'Allow', NotPrincipal: { AWS: `arn:aws:iam::${A}:user/alice` }, Action: 's3:GetObject', Resource: obj },
    ],
    want: 'Allow',
    sid: 'NP',
  },
  {
    n: 'NotPrincipal deny denies all but the named',
    identity: [[allow('*')]],
    resource: [{ Sid: 'NPD', Effect: 'Deny', NotPrincipal: { AWS: `arn:aws:iam::${A}:user/alice` }, Action: 's3:*', Resource: obj }],
    want: 'ExplicitDeny',
    sid: 'NPD',
  },
  {
    n: 'NotPrincipal deny spares the named',
    identity: [[allow('*')]],
    resource: [{ Effect: 'Deny', NotPrincipal: { AWS: bob.arn }, Action: 's3:*', Resource: obj }],
    want: 'Allow',
  },
  // anonymous
  {
    n: 'anonymous: public resource policy grants',
    req: { principal: anon },
    resource: [allow('s3:GetObject', 'arn:aws:s3:::photos/*', { Principal: '*' })],
    want: 'Allow',
  },
  { n: 'anonymous: no resource policy denies', req: { principal: anon }, want: 'ImplicitDeny', type: 'resource-based policy' },
  {
    n: 'anonymous: a policy naming an account does not grant',
    req: { principal: anon },
    resource: [allow('s3:GetObject', obj, { Principal: { AWS: A } })],
    want: 'ImplicitDeny',
  },
  { n: 'anonymous: identity policies do not apply', req: { principal: anon }, identity: [[allow('*')]], want: 'ImplicitDeny' },
  // root
  { n: 'root is allowed in its own account without policies', req: { principal: rootA }, want: 'Allow' },
  {
    n: 'root: a resource policy deny still denies',
    req: { principal: rootA },
    resource: [deny('s3:*', '*', { Principal: '*' })],
    want: 'ExplicitDeny',
  },
  {
    n: 'root of another account needs the resource policy',
    req: { principal: { kind: 'root', account: B, arn: `arn:aws:iam::${B}:root` }, resourceAccount: A },
    want: 'ImplicitDeny',
    type: 'resource-based policy',
  },
  {
    n: 'root of another account granted by account id',
    req: { principal: { kind: 'root', account: B, arn: `arn:aws:iam::${B}:root` }, resourceAccount: A },
    resource: [allow('s3:GetObject', obj, { Principal: { AWS: B } })],
    want: 'Allow',
  },
  // cross-account: both sides
  {
    n: 'cross-account: both sides allow',
    req: { principal: carolB, resourceAccount: A },
    identity: [[allow('s3:GetObject')]],
    resource: [allow('s3:GetObject', obj, { Principal: { AWS: B } })],
    want: 'Allow',
  },
  {
    n: 'cross-account: only the resource policy allows',
    req: { principal: carolB, resourceAccount: A },
    resource: [allow('s3:GetObject', obj, { Principal: { AWS: carolB.arn } })],
    want: 'ImplicitDeny',
    type: 'identity-based policy',
  },
  {
    n: 'cross-account: only the identity policy allows',
    req: { principal: carolB, resourceAccount: A },
    identity: [[allow('s3:*')]],
    want: 'ImplicitDeny',
    type: 'resource-based policy',
  },
  {
    n: 'cross-account: resource policy names another account',
    req: { principal: carolB, resourceAccount: A },
    identity: [[allow('s3:*')]],
    resource: [allow('s3:GetObject', obj, { Principal: { AWS: '999999999999' } })],
    want: 'ImplicitDeny',
    type: 'resource-based policy',
  },
  {
    n: 'cross-account: named user granted',
    req: { principal: carolB, resourceAccount: A },
    identity: [[allow('s3:*')]],
    resource: [allow('s3:GetObject', obj, { Principal: { AWS: carolB.arn } })],
    want: 'Allow',
  },
  {
    n: 'cross-account: identity deny wins',
    req: { principal: carolB, resourceAccount: A },
    identity: [[allow('s3:*'), deny('s3:GetObject')]],
    resource: [allow('s3:GetObject', obj, { Principal: '*' })],
    want: 'ExplicitDeny',
    type: 'identity-based policy',
  },
  {
    n: 'cross-account: boundary must allow too',
    req: { principal: carolB, resourceAccount: A },
    identity: [[allow('s3:*')]],
    boundary: [allow('sqs:*')],
    resource: [allow('s3:GetObject', obj, { Principal: { AWS: carolB.arn } })],
    want: 'ImplicitDeny',
    type: 'permissions boundary',
  },
  {
    n: 'cross-account: session policy must allow too',
    req: {
      principal: { ...sess, account: B, arn: `arn:aws:sts::${B}:assumed-role/app/s1`, roleArn: `arn:aws:iam::${B}:role/app` },
      resourceAccount: A,
    },
    identity: [[allow('s3:*')]],
    session: [allow('sqs:*')],
    resource: [allow('s3:GetObject', obj, { Principal: { AWS: B } })],
    want: 'ImplicitDeny',
    type: 'session policy',
  },
  {
    n: 'cross-account: a role in the other account named',
    req: {
      principal: { ...sess, account: B, arn: `arn:aws:sts::${B}:assumed-role/app/s1`, roleArn: `arn:aws:iam::${B}:role/app` },
      resourceAccount: A,
    },
    identity: [[allow('s3:*')]],
    resource: [allow('s3:GetObject', obj, { Principal: { AWS: `arn:aws:iam::${B}:role/app` } })],
    want: 'Allow',
  },
];

// condition operators: [operator, key, policy value(s), request value (undefined: absent), matches]
const C: [string, string, unknown, string | string[] | undefined, boolean][] = [
  ['StringEquals', 'aws:username', 'bob', 'bob', true],
  ['StringEquals', 'aws:username', 'bob', 'Bob', false],
  ['StringEquals', 'aws:username', ['alice', 'bob'], 'bob', true],
  ['StringEquals', 'aws:username', 'bob', undefined, false],
  ['StringNotEquals', 'aws:username', 'bob', 'alice', true],
  ['StringNotEquals', 'aws:username', 'bob', 'bob', false],
  ['StringNotEquals', 'aws:username', ['alice', 'bob'], 'bob', false],
  ['StringNotEquals', 'aws:username', 'bob', undefined, true],
  ['StringEqualsIgnoreCase', 'aws:username', 'BOB', 'bob', true],
  ['StringEqualsIgnoreCase', 'aws:username', 'BOB', 'rob', false],
  ['StringNotEqualsIgnoreCase', 'aws:username', 'BOB', 'bob', false],
  ['StringNotEqualsIgnoreCase', 'aws:username', 'BOB', 'eve', true],
  ['StringLike', 's3:prefix', 'home/*', 'home/bob', true],
  ['StringLike', 's3:prefix', 'home/*', 'work/bob', false],
  ['StringLike', 's3:prefix', 'h?me', 'home', true],
  ['StringLike', 's3:prefix', 'home/*', undefined, false],
  ['StringNotLike', 's3:prefix', 'secret*', 'public', true],
  ['StringNotLike', 's3:prefix', 'secret*', 'secret/x', false],
  ['StringNotLike', 's3:prefix', 'secret*', undefined, true],
  ['StringEqualsIfExists', 'aws:username', 'bob', undefined, true],
  ['StringEqualsIfExists', 'aws:username', 'bob', 'eve', false],
  ['StringEqualsIfExists', 'aws:username', 'bob', 'bob', true],
  ['NumericEquals', 's3:max-keys', '10', '10', true],
  ['NumericEquals', 's3:max-keys', '10', '11', false],
  ['NumericNotEquals', 's3:max-keys', '10', '11', true],
  ['NumericLessThan', 's3:max-keys', '10', '9', true],
  ['NumericLessThan', 's3:max-keys', '10', '10', false],
  ['NumericLessThanEquals', 's3:max-keys', '10', '10', true],
  ['NumericGreaterThan', 's3:max-keys', '10', '11', true],
  ['NumericGreaterThan', 's3:max-keys', '10', '10', false],
  ['NumericGreaterThanEquals', 's3:max-keys', '10', '10', true],
  ['NumericLessThan', 's3:max-keys', '10', 'abc', false],
  ['NumericLessThan', 's3:max-keys', '10', undefined, false],
  ['NumericLessThanIfExists', 's3:max-keys', '10', undefined, true],
  ['DateLessThan', 'aws:CurrentTime', '2030-01-01T00:00:00Z', '2026-12-05T08:00:00Z', true],
  ['DateLessThan', 'aws:CurrentTime', '2020-01-01T00:00:00Z', '2026-12-05T08:00:00Z', false],
  ['DateGreaterThan', 'aws:CurrentTime', '2020-01-01T00:00:00Z', '2026-12-05T08:00:00Z', true],
  ['DateGreaterThanEquals', 'aws:CurrentTime', '2026-12-05T08:00:00Z', '2026-12-05T08:00:00Z', true],
  ['DateEquals', 'aws:CurrentTime', '2026-12-05T08:00:00Z', '2026-12-05T08:00:00.000Z', true],
  ['DateNotEquals', 'aws:CurrentTime', '2026-12-05T08:00:00Z', '2026-12-05T09:00:00Z', true],
  ['DateLessThanEquals', 'aws:EpochTime', '1800000000', '1700000000', true],
  ['DateGreaterThan', 'aws:EpochTime', '1800000000', '1700000000', false],
  ['Bool', 'aws:SecureTransport', 'true', 'true', true],
  ['Bool', 'aws:SecureTransport', 'true', 'false', false],
  ['Bool', 'aws:SecureTransport', 'false', 'false', true],
  ['Bool', 'aws:SecureTransport', 'false', undefined, false],
  ['BoolIfExists', 'aws:MultiFactorAuthPresent', 'false', undefined, true],
  ['IpAddress', 'aws:SourceIp', '10.0.0.0/8', '10.1.2.3', true],
  ['IpAddress', 'aws:SourceIp', '10.0.0.0/8', '11.1.2.3', false],
  ['IpAddress', 'aws:SourceIp', '203.0.113.7/32', '203.0.113.7', true],
  ['IpAddress', 'aws:SourceIp', '203.0.113.7', '203.0.113.7', true],
  ['IpAddress', 'aws:SourceIp', ['192.168.0.0/16', '127.0.0.0/8'], '127.0.0.1', true],
  ['IpAddress', 'aws:SourceIp', '0.0.0.0/0', '8.8.8.8', true],
  ['IpAddress', 'aws:SourceIp', '2001:db8::/32', '2001:db8::1', true],
  ['IpAddress', 'aws:SourceIp', '2001:db8::/32', '2001:db9::1', false],
  ['IpAddress', 'aws:SourceIp', '10.0.0.0/8', '2001:db8::1', false],
  ['NotIpAddress', 'aws:SourceIp', '10.0.0.0/8', '11.1.2.3', true],
  ['NotIpAddress', 'aws:SourceIp', '10.0.0.0/8', '10.1.2.3', false],
  ['ArnEquals', 'aws:SourceArn', 'arn:aws:sns:us-east-1:111122223333:t', 'arn:aws:sns:us-east-1:111122223333:t', true],
  ['ArnEquals', 'aws:SourceArn', 'arn:aws:sns:us-east-1:111122223333:t', 'arn:aws:sns:us-east-1:111122223333:u', false],
  ['ArnLike', 'aws:SourceArn', 'arn:aws:sns:*:111122223333:*', 'arn:aws:sns:eu-west-1:111122223333:t', true],
  ['ArnLike', 'aws:SourceArn', 'arn:aws:sns:*:111122223333:*', 'arn:aws:sns:eu-west-1:999999999999:t', false],
  ['ArnNotEquals', 'aws:SourceArn', 'arn:aws:sns:us-east-1:111122223333:t', 'arn:aws:sns:us-east-1:111122223333:u', true],
  ['ArnNotLike', 'aws:SourceArn', 'arn:aws:sns:*', 'arn:aws:sqs:us-east-1:1:q', true],
  ['ArnNotLike', 'aws:SourceArn', 'arn:aws:sns:*', 'arn:aws:sns:us-east-1:1:t', false],
  ['ArnLikeIfExists', 'aws:SourceArn', 'arn:aws:sns:*', undefined, true],
  ['Null', 'aws:TokenIssueTime', 'true', undefined, true],
  ['Null', 'aws:TokenIssueTime', 'true', '2026-01-01T00:00:00Z', false],
  ['Null', 'aws:TokenIssueTime', 'false', '2026-01-01T00:00:00Z', true],
  ['Null', 'aws:TokenIssueTime', 'false', undefined, false],
  ['ForAnyValue:StringEquals', 'aws:TagKeys', ['env', 'team'], ['env', 'cost'], true],
  ['ForAnyValue:StringEquals', 'aws:TagKeys', ['env', 'team'], ['cost'], false],
  ['ForAnyValue:StringEquals', 'aws:TagKeys', ['env'], undefined, false],
  ['ForAllValues:StringEquals', 'aws:TagKeys', ['env', 'team'], ['env', 'team'], true],
  ['ForAllValues:StringEquals', 'aws:TagKeys', ['env', 'team'], ['env', 'cost'], false],
  ['ForAllValues:StringEquals', 'aws:TagKeys', ['env', 'team'], undefined, true],
  ['ForAllValues:StringEquals', 'aws:TagKeys', ['env', 'team'], [], true],
  ['ForAllValues:StringLike', 'aws:TagKeys', ['team-*'], ['team-a', 'team-b'], true],
  ['ForAnyValue:StringLike', 'aws:TagKeys', ['team-*'], ['x', 'team-b'], true],
  ['ForAnyValue:StringNotEquals', 'aws:TagKeys', ['env'], ['env', 'x'], true],
  ['ForAllValues:StringNotEquals', 'aws:TagKeys', ['env'], ['env', 'x'], false],
  ['StringEquals', 'aws:PrincipalTag/team', 'blue', 'blue', true],
  ['StringEquals', 'aws:RequestedRegion', ['us-east-1', 'eu-west-1'], 'ap-south-1', false],
  ['StringEquals', 'aws:RequestTag/env', 'prod', 'prod', true],
  ['StringEquals', 'aws:ResourceTag/env', 'prod', 'dev', false],
  ['StringEquals', 'aws:userid', 'AIDAEXAMPLE', 'AIDAEXAMPLE', true],
  ['StringLike', 'aws:PrincipalArn', 'arn:aws:iam::*:role/admin-*', 'arn:aws:iam::1:role/admin-x', true],
];

for (const [op, key, value, got, match] of C) {
  const keys = got === undefined ? {} : { [key.toLowerCase()]: got };
  cases.push({
    n: `${op} ${key} ${JSON.stringify(value)} vs ${JSON.stringify(got)}`,
    identity: [[allow('s3:GetObject', '*', { Condition: { [op]: { [key]: value } } })]],
    req: { keys },
    want: match ? 'Allow' : 'ImplicitDeny',
  });
}
// several keys and operators: AND; a denial by condition
cases.push(
  {
    n: 'two keys in one operator must both match',
    identity: [[allow('*', '*', { Condition: { StringEquals: { 'aws:username': 'bob', 'aws:requestedregion': 'us-east-1' } } })]],
    req: { keys: { 'aws:username': 'bob', 'aws:requestedregion': 'eu-west-1' } },
    want: 'ImplicitDeny',
  },
  {
    n: 'two operators must both match',
    identity: [[allow('*', '*', { Condition: { StringEquals: { 'aws:username': 'bob' }, IpAddress: { 'aws:sourceip': '10.0.0.0/8' } } })]],
    req: { keys: { 'aws:username': 'bob', 'aws:sourceip': '10.9.9.9' } },
    want: 'Allow',
  },
  {
    n: 'a deny conditioned on the source IP applies',
    identity: [[allow('*'), deny('*', '*', { Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })]],
    req: { keys: { 'aws:sourceip': '192.0.2.1' } },
    want: 'ExplicitDeny',
    sid: 'DenyCondition',
  },
  {
    n: 'a deny conditioned on the source IP does not apply inside',
    identity: [[allow('*'), deny('*', '*', { Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })]],
    req: { keys: { 'aws:sourceip': '10.0.0.1' } },
    want: 'Allow',
  },
  {
    n: 'deny insecure transport',
    identity: [[allow('*'), deny('*', '*', { Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]],
    req: { keys: { 'aws:securetransport': 'false' } },
    want: 'ExplicitDeny',
  },
  {
    n: 'condition key names are case-insensitive',
    identity: [[allow('*', '*', { Condition: { StringEquals: { 'AWS:UserName': 'bob' } } })]],
    req: { keys: { 'aws:username': 'bob' } },
    want: 'Allow',
  },
  {
    n: 'the first matching statement of several allows',
    identity: [[sid(allow('sqs:*'), 'One'), sid(allow('s3:*'), 'Two')]],
    want: 'Allow',
    sid: 'Two',
  },
  {
    n: 'a deny in the second of several identity policies',
    identity: [[sid(allow('*'), 'All')], [sid(deny('s3:Get*'), 'NoGets')]],
    want: 'ExplicitDeny',
    sid: 'NoGets',
  },
  {
    n: 'the deny wins over an allow listed later',
    identity: [[sid(deny('s3:GetObject'), 'D1'), sid(allow('s3:GetObject'), 'A1')]],
    want: 'ExplicitDeny',
    sid: 'D1',
  },
  { n: 'a single statement object, not a list', identity: [[allow('s3:GetObject')]], want: 'Allow' },
);

const doc = (stmts: St[], version = '2012-10-17') => JSON.stringify({ Version: version, Statement: stmts });

test(`the evaluation table (${cases.length} cases)`, () => {
  assert.ok(cases.length >= 150, `${cases.length} cases`);
  for (const c of cases) {
    const version = (c as Case & { version?: string }).version;
    const set: PolicySet = {
      identity: (c.identity ?? []).map((s, i) => parsePolicy(doc(s, version), 'identity', `p${i}`)),
      ...(c.boundary ? { boundary: [parsePolicy(doc(c.boundary), 'identity', 'boundary')] } : {}),
      ...(c.session ? { session: c.session.map((s, i) => parsePolicy(doc([s]), 'identity', `s${i}`)) } : {}),
      ...(c.resource ? { resource: parsePolicy(doc(c.resource, version), 'resource', 'resource') } : {}),
    };
    if (c.boundary?.length === 0) set.boundary = [];
    const req: EvalRequest = { action: 's3:GetObject', resource: obj, principal: bob, keys: {}, ...c.req };
    const v = evaluate(set, req);
    assert.equal(v.decision, c.want, c.n);
    if (c.sid) assert.equal(v.statement?.sid, c.sid, `${c.n}: deciding statement`);
    if (c.type) assert.equal(v.policyType, c.type, `${c.n}: policy type`);
  }
});

test('denial messages read as AWS writes them', () => {
  const req: EvalRequest = { action: 's3:PutObject', resource: obj, principal: bob, keys: {} };
  assert.equal(
    denialMessage(evaluate({ identity: [] }, req), req, true),
    `User: arn:aws:iam::${A}:user/bob is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::photos/cat.jpg" because no identity-based policy allows the s3:PutObject action`,
  );
  const denyAll = parsePolicy(doc([deny('*')]), 'identity', 'p');
  assert.equal(
    denialMessage(evaluate({ identity: [denyAll] }, req), req),
    `User: arn:aws:iam::${A}:user/bob is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::photos/cat.jpg with an explicit deny in an identity-based policy`,
  );
});

const malformed: [string, string, 'identity' | 'trust' | 'resource', string][] = [
  ['not JSON', '{"Version":', 'identity', 'Syntax errors in policy.'],
  [
    'a principal in an identity policy',
    doc([allow('*', '*', { Principal: '*' })]),
    'identity',
    'Policy document should not specify a principal.',
  ],
  [
    'no principal in a trust policy',
    JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] }),
    'trust',
    'Missing required field Principal',
  ],
  [
    'a resource in a trust policy',
    doc([allow('sts:AssumeRole', '*', { Principal: { AWS: A } })]),
    'trust',
    'Has prohibited field Resource',
  ],
  [
    'no action',
    JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Resource: '*' }] }),
    'identity',
    'Policy statement must contain actions.',
  ],
  [
    'no resource',
    JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*' }] }),
    'identity',
    'Policy statement must contain resources.',
  ],
  [
    'an action without a vendor',
    doc([allow('GetObject')]),
    'identity',
    'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  ],
  ['a resource that is no ARN', doc([allow('s3:*', 'photos')]), 'identity', 'Resource photos must be in ARN format or "*".'],
  [
    'a bad Effect',
    JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Action: '*', Resource: '*' }] }),
    'identity',
    'Syntax errors in policy.',
  ],
  ['an unknown version', doc([allow('*')], '2020-01-01'), 'identity', 'The policy failed legacy parsing'],
  [
    'an unknown condition operator',
    doc([allow('*', '*', { Condition: { StringSorta: { 'aws:username': 'x' } } })]),
    'identity',
    'Invalid Condition type : StringSorta.',
  ],
  [
    'duplicate Sids',
    doc([sid(allow('*'), 'A'), sid(allow('*'), 'A')]),
    'identity',
    'Statement IDs (SID) in a single policy must be unique.',
  ],
];

test('malformed documents are refused with IAM messages', () => {
  for (const [name, text, kind, message] of malformed) {
    assert.throws(
      () => parsePolicy(text, kind),
      (e: unknown) => e instanceof ServiceError && e.code === 'MalformedPolicyDocument' && e.message === message,
      name,
    );
  }
});

test('unknown actions are accepted syntactically (and simply match nothing served)', () => {
  const p = parsePolicy(doc([allow('madeup:DoTheThing')]), 'identity', 'p');
  assert.equal(evaluate({ identity: [p] }, { action: 'madeup:DoTheThing', resource: '*', principal: bob, keys: {} }).decision, 'Allow');
});
