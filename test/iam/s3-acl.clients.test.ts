// S3 ACL grants across accounts through boto3 under enforcement: the bucket owner grants another
// account READ by the canonical id that account's list_buckets shows, by email, then revokes it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverForFile, runCli } from '../helpers.js';

const nimbus = serverForFile(undefined, { enforceIam: true });

test('boto3: a grant-read by canonical id and by email lets the other account read; a private ACL takes it back', async () => {
  const py = await runCli('python3', [
    '-c',
    `
import boto3, botocore
def s3(account):
    return boto3.client('s3', endpoint_url='${nimbus.url}', region_name='us-east-1', aws_access_key_id=account, aws_secret_access_key='x')
owner, reader = s3('111111111111'), s3('222222222222')
def read():
    try:
        return reader.get_object(Bucket='shared', Key='a.txt')['Body'].read().decode()
    except botocore.exceptions.ClientError as e:
        return e.response['Error']['Code']
owner.create_bucket(Bucket='shared', ObjectOwnership='ObjectWriter')
owner.put_object(Bucket='shared', Key='a.txt', Body=b'shared text')
reader_id = reader.list_buckets()['Owner']['ID']
print(read())
owner.put_object_acl(Bucket='shared', Key='a.txt', GrantRead='id="%s"' % reader_id)
print(read())
grants = owner.get_object_acl(Bucket='shared', Key='a.txt')['Grants']
print(grants[0]['Grantee']['ID'] == reader_id, grants[0]['Permission'])
owner.put_object_acl(Bucket='shared', Key='a.txt', ACL='private')
print(read())
owner.put_object_acl(Bucket='shared', Key='a.txt', GrantRead='emailAddress="222222222222@nimbus.local"')
print(read())
`,
  ]);
  assert.equal(py.code, 0, py.stderr);
  assert.deepEqual(py.stdout.trim().split('\n'), ['AccessDenied', 'shared text', 'True READ', 'AccessDenied', 'shared text']);
});
