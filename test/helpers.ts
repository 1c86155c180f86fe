// Test support: a Nimbus on a free port of 127.0.0.1, the real clients pointed at it.
import assert from 'node:assert/strict';
import { before, after } from 'node:test';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startNimbus, type RunningNimbus } from '../src/nimbus.js';
import type { Config } from '../src/config.js';

export const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
export const region = 'us-east-1';

/** A Nimbus in this process; a persistent one (`ephemeral: false`) without a dataDir gets a temp dir removed on stop. */
export async function startServer(overrides: Partial<Config> = {}): Promise<RunningNimbus> {
  const tempDir = overrides.ephemeral === false && !overrides.dataDir ? mkdtempSync(join(tmpdir(), 'nimbus-test-')) : undefined;
  const running = await startNimbus({
    host: '127.0.0.1',
    port: 0,
    dataDir: tempDir ?? '',
    ephemeral: true,
    enforceIam: false,
    logLevel: (process.env.NIMBUS_TEST_LOG_LEVEL as Config['logLevel']) ?? 'silent',
    fsync: false,
    defaultRegion: region,
    ...overrides,
  });
  if (!tempDir) return running;
  const stop = running.stop;
  return {
    ...running,
    stop: async () => {
      await stop();
      rmSync(tempDir, { recursive: true, force: true });
    },
  };
}

/** SDK v3 client options for a running Nimbus. */
/**
 * The Nimbus of a whole test file: started before its first test (then `setup` runs: clients, buckets),
 * stopped after its last. Call at the top level; what it returns reads through to the running server.
 */
export function serverForFile(setup?: () => unknown, overrides: Partial<Config> = {}): RunningNimbus {
  let running: RunningNimbus | undefined;
  before(async () => {
    running = await startServer(overrides);
    await setup?.();
  });
  after(() => running?.stop());
  return new Proxy({} as RunningNimbus, {
    get(_target, key) {
      if (!running) throw new Error('the server starts in before(): use it inside a test or hook');
      const v = Reflect.get(running, key);
      return typeof v === 'function' ? v.bind(running) : v;
    },
  });
}

export const clientConfig = (url: string, extra: Record<string, unknown> = {}) => ({
  endpoint: url,
  region,
  credentials,
  ...extra,
});

const run = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command with AWS credentials for Nimbus in its environment; never throws on exit codes. */
export async function runCli(cmd: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(cmd, args, {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? tmpdir(),
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_DEFAULT_REGION: region,
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_PAGER: '',
        ...env,
      },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** The AWS CLI v1 (pip, on the machine image) and v2 (Debian's awscli package). */
export const AWS_CLI_V1 = process.env.NIMBUS_AWS_CLI_V1 ?? 'aws';
export const AWS_CLI_V2 = process.env.NIMBUS_AWS_CLI_V2 ?? '/usr/bin/aws';

export interface ServerProcess {
  url: string;
  proc: import('node:child_process').ChildProcess;
  /** SIGKILL: no chance to flush or close anything */
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/** Nimbus as its own process (`node dist/src/main.js`), for restarts and kill -9. */
export async function spawnServer(args: string[], env: Record<string, string> = {}): Promise<ServerProcess> {
  const { spawn } = await import('node:child_process');
  const proc = spawn(process.execPath, ['dist/src/main.js', '--host', '127.0.0.1', '--port', '0', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no ready line within 10 s: ${out}`)), 10_000);
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /Nimbus ready on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    proc.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
  });
  return {
    url,
    proc,
    kill9: async () => {
      proc.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** Asserts an SDK v3 call fails with this AWS error name (and HTTP status), then runs `check` on the error. */
export const rejects = (p: Promise<unknown>, name: string, status?: number, check?: (e: Record<string, unknown>) => void) =>
  assert.rejects(p, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, name, e.message);
    if (status) assert.equal(e.$metadata?.httpStatusCode, status);
    check?.(e as unknown as Record<string, unknown>);
    return true;
  });

/** Debian's headless Chromium through playwright-core (never a downloaded browser); close it in the test. */
export async function launchBrowser(): Promise<import('playwright-core').Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.NIMBUS_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Moves a running Nimbus's virtual clock forward (`'90s'`, `'2h'`, `'8d'`); fails the test if refused. */
export async function advanceClock(url: string, by: string): Promise<void> {
  const res = await fetch(`${url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: by }) });
  assert.equal(res.status, 200, await res.text());
}
