// Like LocalStack's `awslocal`: the installed AWS CLI with Nimbus's endpoint, test credentials and a
// region set, each only when the environment or the arguments do not already say.
import { spawn } from 'node:child_process';

/** The endpoint the CLI is pointed at: NIMBUS_ENDPOINT_URL, AWS_ENDPOINT_URL, LOCALSTACK_HOST, else localhost:4566. */
export function cliEndpoint(env: NodeJS.ProcessEnv): string {
  if (env.NIMBUS_ENDPOINT_URL) return env.NIMBUS_ENDPOINT_URL;
  if (env.AWS_ENDPOINT_URL) return env.AWS_ENDPOINT_URL;
  const host = env.LOCALSTACK_HOST?.trim();
  if (host) return `http://${/:\d+$/.test(host) ? host : `${host}:4566`}`;
  return `http://localhost:${env.NIMBUS_PORT ?? '4566'}`;
}

/** The command line and environment to run: `aws --endpoint-url <e> <args>` with credentials defaulted. */
export function awsInvocation(args: string[], env: NodeJS.ProcessEnv): { cmd: string; args: string[]; env: NodeJS.ProcessEnv } {
  const out: NodeJS.ProcessEnv = { ...env };
  const hasProfile = !!env.AWS_PROFILE;
  if (!hasProfile) {
    out.AWS_ACCESS_KEY_ID ??= 'test';
    out.AWS_SECRET_ACCESS_KEY ??= 'test';
  }
  out.AWS_DEFAULT_REGION ??= env.AWS_REGION ?? env.DEFAULT_REGION ?? 'us-east-1';
  const explicit = args.some((a) => a === '--endpoint-url' || a.startsWith('--endpoint-url='));
  return {
    cmd: env.NIMBUS_AWS_CLI ?? 'aws',
    args: explicit ? args : ['--endpoint-url', cliEndpoint(env), ...args],
    env: out,
  };
}

/** Runs the AWS CLI with inherited stdio; resolves with its exit code (127 when it is not installed). */
export function runAws(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const inv = awsInvocation(args, env);
  return new Promise((resolve) => {
    const child = spawn(inv.cmd, inv.args, { env: inv.env, stdio: 'inherit' });
    child.once('error', (e: NodeJS.ErrnoException) => {
      process.stderr.write(
        e.code === 'ENOENT'
          ? `nimbus aws: the AWS CLI (${inv.cmd}) is not installed or not on PATH; install it (pip install awscli, or AWS's installer) or set NIMBUS_AWS_CLI\n`
          : `nimbus aws: ${e.message}\n`,
      );
      resolve(127);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
