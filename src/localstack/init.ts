// LocalStack's init hooks: executable *.sh and *.py scripts in {boot,start,ready,shutdown}.d under
// each init directory, run in order at that stage. A failing script is reported (its state ERROR,
// its output in the log) and the next one runs: a hook never stops Nimbus.
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Logger } from '../log.js';

export const STAGES = ['BOOT', 'START', 'READY', 'SHUTDOWN'] as const;
export type Stage = (typeof STAGES)[number];
export type ScriptState = 'UNKNOWN' | 'RUNNING' | 'SUCCESSFUL' | 'ERROR';

export interface Script {
  stage: Stage;
  path: string;
  state: ScriptState;
}

/** Scripts of a stage directory: files sorted by name first, then subdirectories depth first. */
export function findScripts(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files = entries.filter((e) => e.isFile() && /\.(sh|py)$/.test(e.name)).map((e) => join(dir, e.name));
  const dirs = entries.filter((e) => e.isDirectory()).flatMap((e) => findScripts(join(dir, e.name)));
  return [...files, ...dirs];
}

const isExecutable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

export class InitHooks {
  readonly scripts = new Map<Stage, Script[]>();
  readonly completed = new Map<Stage, boolean>();
  private binDir?: string;

  /** @param env the environment scripts get on top of Nimbus's (endpoint, credentials, region) */
  constructor(
    dirs: string[],
    private readonly log: Logger,
    private readonly env: () => Record<string, string>,
  ) {
    for (const stage of STAGES) {
      const found = dirs.flatMap((d) => findScripts(join(d, `${stage.toLowerCase()}.d`)));
      this.scripts.set(
        stage,
        found.map((path) => ({ stage, path, state: 'UNKNOWN' as ScriptState })),
      );
      this.completed.set(stage, false);
    }
  }

  get count(): number {
    let n = 0;
    for (const list of this.scripts.values()) n += list.length;
    return n;
  }

  /** Runs a stage's scripts one after the other; resolves when all have ended. */
  async run(stage: Stage): Promise<void> {
    for (const script of this.scripts.get(stage) ?? []) {
      script.state = 'RUNNING';
      const name = `${stage.toLowerCase()}.d/${basename(script.path)}`;
      this.log.info(`init: running ${name}`);
      const ok = await this.exec(script.path, name);
      script.state = ok ? 'SUCCESSFUL' : 'ERROR';
      if (!ok) this.log.error(`init: ${name} failed; the next scripts run and Nimbus keeps serving`);
    }
    this.completed.set(stage, true);
  }

  private exec(path: string, name: string): Promise<boolean> {
    let cmd = path;
    let args: string[] = [];
    if (path.endsWith('.py')) [cmd, args] = ['python3', [path]];
    else if (!isExecutable(path)) {
      this.log.warn(`init: ${name} is not executable; running it with sh`);
      [cmd, args] = ['sh', [path]];
    }
    const env = { ...process.env, ...this.env() };
    env.PATH = `${this.awslocalDir()}:${env.PATH ?? ''}`;
    return new Promise((resolve) => {
      let child;
      try {
        child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (e) {
        this.log.error(`init: ${name}: ${(e as Error).message}`);
        return resolve(false);
      }
      const lines = (level: 'info' | 'warn') => (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n')) if (line.trim()) this.log[level](`init: ${name}: ${line}`);
      };
      child.stdout.on('data', lines('info'));
      child.stderr.on('data', lines('warn'));
      child.once('error', (e) => {
        this.log.error(`init: ${name}: ${e.message}`);
        resolve(false);
      });
      child.once('close', (code, signal) => {
        if (code !== 0) this.log.error(`init: ${name} exited with ${code ?? signal}`);
        resolve(code === 0);
      });
    });
  }

  /** A directory with an `awslocal` (the AWS CLI with --endpoint-url), put first on the scripts' PATH. */
  private awslocalDir(): string {
    if (this.binDir) return this.binDir;
    this.binDir = mkdtempSync(join(tmpdir(), 'nimbus-bin-'));
    const script = '#!/bin/sh\nexec aws --endpoint-url "$AWS_ENDPOINT_URL" "$@"\n';
    writeFileSync(join(this.binDir, 'awslocal'), script, { mode: 0o755 });
    return this.binDir;
  }

  /** LocalStack's /_localstack/init answer (all stages), or one stage's. */
  report(stage?: Stage) {
    const scripts = (list: Script[]) => list.map((s) => ({ stage: s.stage, name: basename(s.path), state: s.state }));
    if (stage) return { completed: this.completed.get(stage) ?? false, scripts: scripts(this.scripts.get(stage) ?? []) };
    return {
      completed: Object.fromEntries(this.completed),
      scripts: scripts([...this.scripts.values()].flat()),
    };
  }
}
