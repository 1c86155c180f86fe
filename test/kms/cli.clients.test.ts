// KMS and CloudTrail key flows through the AWS CLI v1 and v2 and boto3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverForFile, runCli, AWS_CLI_V1, AWS_CLI_V2 } from '../helpers.js';

const nimbus = serverForFile();
const dir = mkdtempSync(join(tmpdir(), 'nimbus-kms-cli-'));

for (const [name, cli] of [
  ['v1', AWS_CLI_V1],
  ['v2', AWS_CLI_V2],
] as const) {
  const aws = async (...args: string[]) => {
    const r = await runCli(cli, ['--endpoint-url', nimbus.url, '--output', 'json', ...args]);
    return r;
  };
  const ok = async (...args: string[]) => {
    const r = await aws(...args);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout ? JSON.parse(r.stdout) : {};
  };

  test(`AWS CLI ${name}: create-key, encrypt, decrypt, a disabled key fails decrypt, sign and verify`, async () => {
    const keyId = (await ok('kms', 'create-key', '--description', `cli ${name}`)).KeyMetadata.KeyId;
    writeFileSync(join(dir, `${name}.txt`), `plain ${name}`);
    const blob = (
      await ok(
        'kms',
        'encrypt',
        '--key-id',
        keyId,
        '--plaintext',
        `fileb://${join(dir, `${name}.txt`)}`,
        '--encryption-context',
        'purpose=test',
      )
    ).CiphertextBlob;
    writeFileSync(join(dir, `${name}.bin`), Buffer.from(blob, 'base64'));
    const dec = await ok(
      'kms',
      'decrypt',
      '--ciphertext-blob',
      `fileb://${join(dir, `${name}.bin`)}`,
      '--encryption-context',
      'purpose=test',
    );
    assert.equal(Buffer.from(dec.Plaintext, 'base64').toString(), `plain ${name}`);
    assert.match(dec.KeyId, new RegExp(`key/${keyId}$`));
    await ok('kms', 'disable-key', '--key-id', keyId);
    const refused = await aws(
      'kms',
      'decrypt',
      '--ciphertext-blob',
      `fileb://${join(dir, `${name}.bin`)}`,
      '--encryption-context',
      'purpose=test',
    );
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /DisabledException/);
    const signing = (await ok('kms', 'create-key', '--key-spec', 'ECC_NIST_P256', '--key-usage', 'SIGN_VERIFY')).KeyMetadata.KeyId;
    const sig = (
      await ok(
        'kms',
        'sign',
        '--key-id',
        signing,
        '--message',
        `fileb://${join(dir, `${name}.txt`)}`,
        '--signing-algorithm',
        'ECDSA_SHA_256',
      )
    ).Signature;
    writeFileSync(join(dir, `${name}.sig`), Buffer.from(sig, 'base64'));
    const v = await ok(
      'kms',
      'verify',
      '--key-id',
      signing,
      '--message',
      `fileb://${join(dir, `${name}.txt`)}`,
      '--signature',
      `fileb://${join(dir, `${name}.sig`)}`,
      '--signing-algorithm',
      'ECDSA_SHA_256',
    );
    assert.equal(v.SignatureValid, true);
  });

  test(`AWS CLI ${name}: cloudtrail lookup-events shows a CreateBucket with the caller's identity`, async () => {
    await ok('s3api', 'create-bucket', '--bucket', `ct-${name}`);
    const out = await ok('cloudtrail', 'lookup-events', '--lookup-attributes', 'AttributeKey=ResourceName,AttributeValue=ct-' + name);
    assert.equal(out.Events.length, 1);
    assert.equal(out.Events[0].EventName, 'CreateBucket');
    const record = JSON.parse(out.Events[0].CloudTrailEvent);
    assert.equal(record.userIdentity.type, 'Root');
    assert.equal(record.userIdentity.accessKeyId, 'test');
    assert.match(record.userAgent, /aws-cli/);
  });
}

test('AWS CLI v2: a trail file lands in S3', async () => {
  const aws = (...args: string[]) => runCli(AWS_CLI_V2, ['--endpoint-url', nimbus.url, '--output', 'json', ...args]);
  assert.equal((await aws('s3api', 'create-bucket', '--bucket', 'cli-trail')).code, 0);
  const created = await aws('cloudtrail', 'create-trail', '--name', 'cli', '--s3-bucket-name', 'cli-trail');
  assert.equal(created.code, 0, created.stderr);
  assert.equal((await aws('cloudtrail', 'start-logging', '--name', 'cli')).code, 0);
  assert.equal((await aws('s3api', 'create-bucket', '--bucket', 'cli-audited')).code, 0);
  assert.equal((await fetch(`${nimbus.url}/_nimbus/cloudtrail/flush`, { method: 'POST' })).status, 200);
  const ls = await aws('s3', 'ls', '--recursive', 's3://cli-trail/AWSLogs/');
  assert.equal(ls.code, 0, ls.stderr);
  assert.match(
    ls.stdout,
    /AWSLogs\/000000000000\/CloudTrail\/us-east-1\/\d{4}\/\d\d\/\d\d\/000000000000_CloudTrail_us-east-1_\d{8}T\d{4}Z_\w{16}\.json\.gz/,
  );
});

test('boto3: envelope encryption round trip and a one-byte-altered ciphertext', async () => {
  const script = `
import sys, boto3, json
kms = boto3.client('kms', endpoint_url=sys.argv[1], region_name='us-east-1')
key = kms.create_key()['KeyMetadata']['KeyId']
dk = kms.generate_data_key(KeyId=key, KeySpec='AES_256', EncryptionContext={'a': 'b'})
back = kms.decrypt(CiphertextBlob=dk['CiphertextBlob'], EncryptionContext={'a': 'b'})
bad = bytearray(dk['CiphertextBlob']); bad[-1] ^= 1
try:
    kms.decrypt(CiphertextBlob=bytes(bad), EncryptionContext={'a': 'b'}); err = 'none'
except kms.exceptions.InvalidCiphertextException:
    err = 'InvalidCiphertextException'
ct = boto3.client('cloudtrail', endpoint_url=sys.argv[1], region_name='us-east-1')
events = ct.lookup_events(LookupAttributes=[{'AttributeKey': 'EventName', 'AttributeValue': 'GenerateDataKey'}])['Events']
print(json.dumps({'same': back['Plaintext'] == dk['Plaintext'], 'len': len(dk['Plaintext']), 'err': err, 'events': len(events)}))
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { same: true, len: 32, err: 'InvalidCiphertextException', events: 1 });
});
