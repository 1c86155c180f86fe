// S3 through the AWS CLI v1 and v2 high-level commands (mb, cp, ls, sync, rm, rb, presign),
// including a 100 MiB multipart round trip compared byte for byte, boto3's transfer manager, and ACLs refused where the bucket has none.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync, rmSync, openSync, writeSync, closeSync } from 'node:fs';
import { randomBytes, createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import zlib from 'node:zlib';
import { join } from 'node:path';
import { startServer, runCli, AWS_CLI_V1, AWS_CLI_V2 } from '../helpers.js';
import type { RunningNimbus } from '../../src/nimbus.js';

let nimbus: RunningNimbus;
let dir: string;
let big: string;
let bigMd5: string;
before(async () => {
  nimbus = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'nimbus-s3-cli-'));
  // 100 MiB of random bytes, written in 1 MiB pieces
  big = join(dir, 'big.bin');
  const hash = createHash('md5');
  const fd = openSync(big, 'w');
  for (let i = 0; i < 100; i++) {
    const piece = randomBytes(1024 * 1024);
    hash.update(piece);
    writeSync(fd, piece);
  }
  closeSync(fd);
  bigMd5 = hash.digest('hex');
});
after(async () => {
  await nimbus.stop();
  rmSync(dir, { recursive: true, force: true });
});

const md5File = (path: string) => createHash('md5').update(readFileSync(path)).digest('hex');

for (const [name, cli] of [
  ['v1', AWS_CLI_V1],
  ['v2', AWS_CLI_V2],
] as const) {
  const s3 = (...args: string[]) => runCli(cli, ['--endpoint-url', nimbus.url, 's3', ...args]);
  const bucket = `cli-${name}`;

  test(`AWS CLI ${name}: mb, cp up and down, ls, sync, rm, rb`, async () => {
    let r = await s3('mb', `s3://${bucket}`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`make_bucket: ${bucket}`));
    const local = join(dir, `${name}-src`);
    mkdirSync(join(local, 'sub'), { recursive: true });
    writeFileSync(join(local, 'a.txt'), 'alpha');
    writeFileSync(join(local, 'sub', 'b.txt'), 'beta');
    r = await s3('cp', join(local, 'a.txt'), `s3://${bucket}/one/a.txt`);
    assert.equal(r.code, 0, r.stderr);
    r = await s3('cp', `s3://${bucket}/one/a.txt`, join(dir, `${name}-a.txt`));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(dir, `${name}-a.txt`), 'utf8'), 'alpha');

    r = await s3('sync', '--no-progress', local, `s3://${bucket}/tree`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /upload: .*sub\/b\.txt/);
    r = await s3('sync', '--no-progress', local, `s3://${bucket}/tree`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), '', 'a second sync finds nothing to do');
    r = await s3('ls', `s3://${bucket}/`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /PRE one\//);
    assert.match(r.stdout, /PRE tree\//);
    r = await s3('ls', '--recursive', `s3://${bucket}/tree/`);
    assert.match(r.stdout, /\s5 tree\/a\.txt/);
    assert.match(r.stdout, /\s4 tree\/sub\/b\.txt/);
    r = await s3('ls');
    assert.match(r.stdout, new RegExp(`\\s${bucket}$`, 'm'));

    const down = join(dir, `${name}-down`);
    r = await s3('sync', '--no-progress', `s3://${bucket}/tree`, down);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(down, 'sub', 'b.txt'), 'utf8'), 'beta');

    r = await s3('rb', `s3://${bucket}`);
    assert.notEqual(r.code, 0, 'a bucket with objects cannot be removed');
    assert.match(r.stderr, /BucketNotEmpty/);
    r = await s3('rm', '--recursive', `s3://${bucket}/`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /delete: s3:\/\/.*\/tree\/sub\/b\.txt/);
    r = await s3('rb', `s3://${bucket}`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`remove_bucket: ${bucket}`));
  });

  test(`AWS CLI ${name}: a 100 MiB multipart cp round trip is byte for byte identical`, async () => {
    const b = `${bucket}-big`;
    assert.equal((await s3('mb', `s3://${b}`)).code, 0);
    let r = await s3('cp', '--no-progress', big, `s3://${b}/big.bin`);
    assert.equal(r.code, 0, r.stderr);
    const back = join(dir, `${name}-big.back`);
    r = await s3('cp', '--no-progress', `s3://${b}/big.bin`, back);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(md5File(back), bigMd5);
    rmSync(back);
    const head = await runCli(cli, ['--endpoint-url', nimbus.url, 's3api', 'head-object', '--bucket', b, '--key', 'big.bin']);
    assert.equal(head.code, 0, head.stderr);
    const out = JSON.parse(head.stdout) as { ETag: string; ContentLength: number };
    assert.match(out.ETag, /^"[0-9a-f]{32}-\d+"$/, 'a multipart ETag');
    assert.equal(out.ContentLength, 100 * 1024 * 1024);
  });

  test(`AWS CLI ${name}: presign gives a URL that GETs the object until it expires on the virtual clock`, async () => {
    const b = `${bucket}-presign`;
    assert.equal((await s3('mb', `s3://${b}`)).code, 0);
    writeFileSync(join(dir, `${name}-p.txt`), 'presigned body');
    assert.equal((await s3('cp', join(dir, `${name}-p.txt`), `s3://${b}/p.txt`)).code, 0);
    const r = await s3('presign', `s3://${b}/p.txt`, '--expires-in', '600');
    assert.equal(r.code, 0, r.stderr);
    const url = r.stdout.trim();
    // the CLI v1 still presigns with SigV2 (an absolute Expires), the v2 with SigV4
    assert.match(url, name === 'v1' ? /[?&]Expires=\d+/ : /[?&]X-Amz-Expires=600&/);
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'presigned body');
    // the URL was signed with the real clock; Nimbus judges it on its virtual clock
    const moved = await fetch(`${nimbus.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '11m' }) });
    assert.equal(moved.status, 200);
    const late = await fetch(url);
    assert.equal(late.status, 403);
    assert.match(await late.text(), /<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);
  });
}

test('AWS CLI v1: create-bucket outside us-east-1 without a LocationConstraint is IllegalLocationConstraintException', async () => {
  const r = await runCli(AWS_CLI_V1, [
    '--endpoint-url',
    nimbus.url,
    '--region',
    'eu-west-1',
    's3api',
    'create-bucket',
    '--bucket',
    'cli-no-constraint',
  ]);
  assert.equal(r.code, 255);
  assert.match(r.stderr, /IllegalLocationConstraintException/);
});

test('boto3: upload_file / download_file (its transfer manager, multipart) round trip', async () => {
  const script = `
import boto3, sys
s3 = boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
s3.create_bucket(Bucket='boto-transfer')
s3.upload_file(sys.argv[2], 'boto-transfer', 'big.bin')
s3.download_file('boto-transfer', 'big.bin', sys.argv[3])
h = s3.head_object(Bucket='boto-transfer', Key='big.bin', ChecksumMode='ENABLED')
print(h['ETag'], h.get('ChecksumType'), h.get('ChecksumCRC32'))
`;
  const back = join(dir, 'boto.back');
  const r = await runCli('python3', ['-c', script, nimbus.url, big, back]);
  assert.equal(r.code, 0, r.stderr);
  const [etag, type, crc] = r.stdout.trim().split(' ');
  assert.match(etag, /^"[0-9a-f]{32}-\d+"$/);
  // which kind of checksum depends on the botocore version; either must be right
  if (type === 'FULL_OBJECT') {
    const whole = Buffer.alloc(4);
    whole.writeUInt32BE(zlib.crc32(readFileSync(big)) >>> 0);
    assert.equal(crc, whole.toString('base64'));
  } else {
    assert.equal(type, 'COMPOSITE', r.stdout);
    assert.match(crc, new RegExp(`^[A-Za-z0-9+/]{6}==-${etag.split('-')[1].replace('"', '')}$`));
  }
  assert.equal(md5File(back), bigMd5);
  rmSync(back);
});

test('ACLs on a bucket without them (BucketOwnerEnforced): AWS CLI v2 cp --acl and boto3 put_object ACL= are AccessControlListNotSupported', async () => {
  const file = join(dir, 'acl.txt');
  writeFileSync(file, 'acl');
  const env = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-east-1' };
  const cli = (...args: string[]) => runCli(AWS_CLI_V2, ['--endpoint-url', nimbus.url, ...args], env);
  assert.equal((await cli('s3', 'mb', 's3://cli-no-acls')).code, 0);
  const cp = await cli('s3', 'cp', file, 's3://cli-no-acls/a.txt', '--acl', 'public-read');
  assert.notEqual(cp.code, 0);
  assert.match(cp.stderr, /AccessControlListNotSupported.*The bucket does not allow ACLs/);
  assert.equal((await cli('s3', 'cp', file, 's3://cli-no-acls/a.txt', '--acl', 'bucket-owner-full-control')).code, 0);
  const script = `
import boto3, botocore, sys
s3 = boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
try:
    s3.put_object(Bucket='cli-no-acls', Key='b.txt', Body=b'b', ACL='public-read')
except botocore.exceptions.ClientError as e:
    print(e.response['ResponseMetadata']['HTTPStatusCode'], e.response['Error']['Code'], e.response['Error']['Message'])
s3.create_bucket(Bucket='boto-acls', ObjectOwnership='ObjectWriter')
s3.put_object(Bucket='boto-acls', Key='b.txt', Body=b'b', ACL='public-read')
print(sorted(g['Permission'] for g in s3.get_object_acl(Bucket='boto-acls', Key='b.txt')['Grants']))
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), [
    '400 AccessControlListNotSupported The bucket does not allow ACLs',
    "['FULL_CONTROL', 'READ']",
  ]);
});
