// Enforcement's cost: S3 GetObject and DynamoDB GetItem throughput with --enforce-iam off and on,
// as the root key and as an IAM user whose policies the evaluator reads.
// `npx tsc -p . && node dist/bench/iam-enforce.js [--seconds 3]`
import { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBClient, CreateTableCommand, PutItemCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { IAMClient, CreateUserCommand, AttachUserPolicyCommand, CreateAccessKeyCommand } from '@aws-sdk/client-iam';
import { startServer } from '../test/helpers.js';

const SECONDS = process.argv.includes('--seconds') ? Number(process.argv[process.argv.indexOf('--seconds') + 1]) : 3;
const CONCURRENCY = 16;
type Creds = { accessKeyId: string; secretAccessKey: string };

async function rate(op: () => Promise<unknown>): Promise<number> {
  const end = performance.now() + SECONDS * 1000;
  let n = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() < end) {
      await op();
      n++;
    }
  }));
  return n / SECONDS;
}

async function run(enforceIam: boolean): Promise<Record<string, number>> {
  const srv = await startServer({ enforceIam, logLevel: 'warn' });
  const base = { endpoint: srv.url, region: 'us-east-1' };
  const root: Creds = { accessKeyId: 'test', secretAccessKey: 'test' };
  const iam = new IAMClient({ ...base, credentials: root });
  await iam.send(new CreateUserCommand({ UserName: 'bench' }));
  for (const p of ['AmazonS3FullAccess', 'AmazonDynamoDBFullAccess']) await iam.send(new AttachUserPolicyCommand({ UserName: 'bench', PolicyArn: `arn:aws:iam::aws:policy/${p}` }));
  const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'bench' }))).AccessKey!;
  const user: Creds = { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
  const s3 = (c: Creds) => new S3Client({ ...base, credentials: c, forcePathStyle: true });
  const ddb = (c: Creds) => new DynamoDBClient({ ...base, credentials: c });
  await s3(root).send(new CreateBucketCommand({ Bucket: 'bench' }));
  await s3(root).send(new PutObjectCommand({ Bucket: 'bench', Key: 'k', Body: 'x'.repeat(1024) }));
  await ddb(root).send(new CreateTableCommand({ TableName: 'bench', AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
  await ddb(root).send(new PutItemCommand({ TableName: 'bench', Item: { k: { S: '1' }, v: { S: 'x'.repeat(100) } } }));
  const out: Record<string, number> = {};
  for (const [who, c] of [['root', root], ['user', user]] as const) {
    const s = s3(c);
    const d = ddb(c);
    out[`s3 GetObject (${who})`] = await rate(async () => { await (await s.send(new GetObjectCommand({ Bucket: 'bench', Key: 'k' }))).Body!.transformToByteArray(); });
    out[`dynamodb GetItem (${who})`] = await rate(() => d.send(new GetItemCommand({ TableName: 'bench', Key: { k: { S: '1' } } })));
  }
  // the authorizer alone, in process: its CPU time per call (the HTTP rates above are noisy on a shared machine)
  if (enforceIam) {
    const principal = srv.runtime.credentials.get(user.accessKeyId)!.principal;
    const call = (service: string, operation: string, input: unknown) => ({
      requestId: 'r', service, operation, protocol: service === 's3' ? 'rest-xml' : 'json', account: principal.account, region: 'us-east-1',
      principal, input, headers: {}, sourceIp: '127.0.0.1', secure: false, time: new Date(),
    });
    for (const [name, c] of [['s3 GetObject', call('s3', 'GetObject', { Bucket: 'bench', Key: 'k' })], ['dynamodb GetItem', call('dynamodb', 'GetItem', { TableName: 'bench', Key: {} })]] as const) {
      const N = 20_000;
      for (let i = 0; i < 1000; i++) await srv.runtime.pipeline.authorize(c);
      const t = performance.now();
      for (let i = 0; i < N; i++) await srv.runtime.pipeline.authorize(c);
      out[`authorize ${name} (user) µs`] = ((performance.now() - t) * 1000) / N;
    }
  }
  await srv.stop();
  return out;
}

const off = await run(false);
const on = await run(true);
for (const [name, v] of Object.entries(on)) if (name.startsWith('authorize')) console.log(`${name.padEnd(36)} ${v.toFixed(1)} µs per call`);
for (const name of Object.keys(off)) {
  const delta = ((on[name] - off[name]) / off[name]) * 100;
  console.log(`${name.padEnd(28)} off ${off[name].toFixed(0).padStart(6)}/s   on ${on[name].toFixed(0).padStart(6)}/s   ${delta >= 0 ? '+' : ''}${delta.toFixed(1)}%`);
}
