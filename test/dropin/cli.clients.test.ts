// Nimbus as LocalStack users run it: a process whose init hooks (through awslocal and boto3) create
// resources before "Ready.", a failing hook reported while it keeps serving, shutdown hooks,
// `nimbus aws` / `nimbus-aws`, JSON request logs, SERVICES refused at start, --version, --help.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { S3Client, ListBucketsCommand } from '@aws-sdk/client-s3';
import { AWS_CLI_V2, credentials } from '../helpers.js';

const run = promisify(execFile);
/** The environment of a user with no AWS configuration at all (the wrapper supplies credentials). */
const bareEnv = (extra: Record<string, string>) => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? tmpdir(),
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_PAGER: '',
  ...extra,
});

function script(path: string, text: string) {
  writeFileSync(path, text);
  chmodSync(path, 0o755);
}

test('init hooks run before Ready., a failing one is reported, shutdown hooks run; awslocal-style wrappers', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-dropin-'));
  const ready = join(dataDir, 'init', 'ready.d');
  mkdirSync(ready, { recursive: true });
  mkdirSync(join(dataDir, 'init', 'shutdown.d'), { recursive: true });
  const marker = join(dataDir, 'shutdown-ran');
  script(join(ready, '01-bucket.sh'), '#!/bin/sh\nset -e\necho "region $AWS_DEFAULT_REGION"\nawslocal s3 mb s3://from-hook\n');
  script(join(ready, '02-fails.sh'), '#!/bin/sh\necho "about to fail" >&2\nexit 3\n');
  script(
    join(ready, '03-queue.py'),
    [
      'import boto3, os',
      "sqs = boto3.client('sqs', endpoint_url=os.environ['AWS_ENDPOINT_URL'])",
      "print(sqs.create_queue(QueueName='from-python-hook')['QueueUrl'])",
      '',
    ].join('\n'),
  );
  script(join(dataDir, 'init', 'shutdown.d', 'bye.sh'), `#!/bin/sh\necho bye > "${marker}"\n`);

  const proc = spawn(
    process.execPath,
    ['dist/src/main.js', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--ephemeral', '--log-format', 'json'],
    {
      env: bareEnv({ DEFAULT_REGION: 'eu-west-1' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  let out = '';
  let err = '';
  proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
  try {
    // the ready line harnesses wait for, on its own line; the resources of ready.d exist by then
    const endpoint = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no Ready. line within 60 s:\n${out}\n${err}`)), 60_000);
      proc.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (/^Ready\.$/m.test(out)) {
          clearTimeout(timer);
          const started = out
            .split('\n')
            .filter((l) => l.startsWith('{'))
            .map((l) => JSON.parse(l) as Record<string, string>)
            .find((l) => l.msg === 'Nimbus started');
          resolve(started!.endpoint);
        }
      });
      proc.once('exit', (code) => reject(new Error(`exited with ${code}:\n${out}\n${err}`)));
    });
    const s3 = new S3Client({ endpoint, region: 'eu-west-1', credentials, forcePathStyle: true });
    const buckets = await s3.send(new ListBucketsCommand({}));
    assert.deepEqual(
      buckets.Buckets?.map((b) => b.Name),
      ['from-hook'],
    );
    s3.destroy();

    const init = (await (await fetch(`${endpoint}/_localstack/init`)).json()) as {
      completed: Record<string, boolean>;
      scripts: { stage: string; name: string; state: string }[];
    };
    assert.deepEqual(init.completed, { BOOT: true, START: true, READY: true, SHUTDOWN: false });
    assert.deepEqual(init.scripts, [
      { stage: 'READY', name: '01-bucket.sh', state: 'SUCCESSFUL' },
      { stage: 'READY', name: '02-fails.sh', state: 'ERROR' },
      { stage: 'READY', name: '03-queue.py', state: 'SUCCESSFUL' },
      { stage: 'SHUTDOWN', name: 'bye.sh', state: 'UNKNOWN' },
    ]);
    const health = (await (await fetch(`${endpoint}/_localstack/health`)).json()) as { features: Record<string, string> };
    assert.equal(health.features.initScripts, 'initialized');

    // every log line is one JSON object; hook output and the failure are in the log
    const lines = (out + err).split('\n').filter((l) => l.trim() && l !== 'Ready.');
    const json = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(
      json.some((l) => l.msg === 'init: ready.d/01-bucket.sh: region eu-west-1'),
      'hook output, with the region in its environment',
    );
    assert.ok(json.some((l) => l.level === 'error' && /ready\.d\/02-fails\.sh exited with 3/.test(String(l.msg))));
    assert.ok(
      json.some((l) => l.service === 's3' && l.operation === 'CreateBucket' && l.status === 200 && typeof l.requestId === 'string'),
    );
    assert.ok(json.some((l) => /from-python-hook/.test(String(l.msg))));

    // `nimbus aws …` with no AWS configuration: endpoint from AWS_ENDPOINT_URL, test credentials, a region
    const ls = await run(process.execPath, ['dist/src/main.js', 'aws', 's3', 'ls'], { env: bareEnv({ AWS_ENDPOINT_URL: endpoint }) });
    assert.match(ls.stdout, /from-hook/);
    // the nimbus-aws bin, with the CLI v2 and the endpoint from NIMBUS_ENDPOINT_URL
    if (existsSync(AWS_CLI_V2)) {
      const queues = await run(process.execPath, ['dist/src/localstack/nimbus-aws.js', 'sqs', 'list-queues', '--region', 'eu-west-1'], {
        env: bareEnv({ NIMBUS_ENDPOINT_URL: endpoint, NIMBUS_AWS_CLI: AWS_CLI_V2 }),
      });
      assert.match(queues.stdout, /from-python-hook/);
    }
    // a failing CLI call passes its exit code through
    await assert.rejects(
      run(process.execPath, ['dist/src/main.js', 'aws', 's3', 'ls', 's3://no-such-bucket'], {
        env: bareEnv({ AWS_ENDPOINT_URL: endpoint }),
      }),
      (e: { code: number; stderr: string }) => {
        assert.notEqual(e.code, 0);
        assert.match(e.stderr, /NoSuchBucket/);
        return true;
      },
    );
  } finally {
    if (proc.exitCode === null) proc.kill('SIGTERM');
  }
  assert.equal(await exited, 0);
  assert.equal(readFileSync(marker, 'utf8').trim(), 'bye', 'shutdown.d ran before exit');
});

test('an unknown SERVICES name stops the start with exit code 2 and a clear message', async () => {
  await assert.rejects(
    run(process.execPath, ['dist/src/main.js', '--port', '0', '--ephemeral'], { env: bareEnv({ SERVICES: 's3,sqs,blobstore' }) }),
    (e: { code: number; stderr: string }) => {
      assert.equal(e.code, 2);
      assert.match(e.stderr, /^nimbus: unknown service in SERVICES: blobstore \(Nimbus serves: sts, s3, sqs/m);
      return true;
    },
  );
  await assert.rejects(
    run(process.execPath, ['dist/src/main.js'], { env: bareEnv({ SQS_ENDPOINT_STRATEGY: 'sideways' }) }),
    (e: { code: number; stderr: string }) => {
      assert.equal(e.code, 2);
      assert.match(e.stderr, /invalid SQS_ENDPOINT_STRATEGY: sideways/);
      return true;
    },
  );
});

test('nimbus --version and --help grouped by topic', async () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  assert.equal((await run(process.execPath, ['dist/src/main.js', '--version'])).stdout, `nimbus ${pkg.version}\n`);
  const { stdout } = await run(process.execPath, ['dist/src/main.js', '--help']);
  for (const heading of ['Network', 'State', 'Services', 'Logging', 'LocalStack compatibility', 'Admin API'])
    assert.match(stdout, new RegExp(`^${heading}`, 'm'));
  for (const word of [
    '--log-format',
    '--services',
    'SERVICES',
    'LOCALSTACK_HOST',
    'SQS_ENDPOINT_STRATEGY',
    'DEFAULT_REGION',
    'nimbus aws',
    '/_localstack/health',
  ]) {
    assert.ok(stdout.includes(word), word);
  }
});
