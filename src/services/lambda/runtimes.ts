// Each Lambda runtime maps to an interpreter on this machine and a bootstrap (the runtime interface
// client) that talks to Nimbus's Runtime API. The bootstraps are plain files shipped in the package
// under src/services/lambda/runtimes/, resolved from the package root at run time.
import { accessSync, constants } from 'node:fs';
import { execFile } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invalidValue } from './model.js';

export type RuntimeKind = 'node' | 'python' | 'provided';

const NODE = ['nodejs18.x', 'nodejs20.x', 'nodejs22.x'];
const PYTHON = ['python3.9', 'python3.10', 'python3.11', 'python3.12', 'python3.13'];
const PROVIDED = ['provided.al2', 'provided.al2023', 'provided'];
export const SUPPORTED_RUNTIMES = [...NODE, ...PYTHON, ...PROVIDED];

/** Runtimes AWS has retired for creation (the model still lists them). */
const DEPRECATED =
  /^(nodejs(4\.3|6\.10|8\.10|10\.x|12\.x|14\.x|16\.x|)|python(2\.7|3\.6|3\.7|3\.8)|dotnetcore\d.*|ruby2\.\d|go1\.x|java8)$/;

export function kindOf(runtime: string): RuntimeKind {
  if (NODE.includes(runtime)) return 'node';
  if (PYTHON.includes(runtime)) return 'python';
  return 'provided';
}

/** The package root (dist/src/services/lambda/ → ../../../../). */
export const packageRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const bootstrapFile = (kind: 'node' | 'python') =>
  join(packageRoot, 'src', 'services', 'lambda', 'runtimes', kind === 'node' ? 'node-bootstrap.mjs' : 'python-bootstrap.py');

function executable(file: string): string | undefined {
  try {
    accessSync(file, constants.X_OK);
    return file;
  } catch {
    return undefined;
  }
}

function onPath(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return join(dir, cmd);
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** The interpreter a runtime runs on: this Node for nodejs*, python3 on PATH for python*, none for provided. */
export function interpreterFor(runtime: string): string | undefined {
  const kind = kindOf(runtime);
  if (kind === 'node') return process.env.NIMBUS_LAMBDA_NODE ?? process.execPath;
  if (kind === 'python') return process.env.NIMBUS_LAMBDA_PYTHON ? executable(process.env.NIMBUS_LAMBDA_PYTHON) : onPath('python3');
  return undefined;
}

// A machine fact, not state: python3 on PATH is often a shim (pyenv) that costs a second per start;
// environments start the interpreter it resolves to.
let realPython: Promise<string> | undefined;

/** The command an environment of this runtime starts (python3 resolved past shims). */
export function commandFor(runtime: string): Promise<string> {
  const found = interpreterFor(runtime)!;
  if (kindOf(runtime) !== 'python' || process.env.NIMBUS_LAMBDA_PYTHON) return Promise.resolve(found);
  realPython ??= new Promise((resolve) =>
    execFile(found, ['-c', 'import sys; print(sys.executable)'], (err, out) => resolve(!err && out.trim() ? out.trim() : found)),
  );
  return realPython;
}

/** Refuses a runtime Lambda does not offer for new functions, or one this machine cannot run. */
export function checkRuntime(runtime: string | undefined): void {
  if (runtime === undefined)
    throw invalidValue('Runtime and Handler are mandatory parameters for functions created with deployment packages.');
  if (DEPRECATED.test(runtime)) {
    throw invalidValue(
      `The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.`,
    );
  }
  if (!SUPPORTED_RUNTIMES.includes(runtime)) {
    throw invalidValue(
      `Value ${runtime} at 'runtime' failed to satisfy constraint: Nimbus runs ${SUPPORTED_RUNTIMES.join(', ')}; ${runtime} needs a container image runtime that Nimbus does not provide.`,
    );
  }
  const kind = kindOf(runtime);
  if (kind !== 'provided' && !interpreterFor(runtime)) {
    throw invalidValue(
      `The runtime ${runtime} needs ${kind === 'python' ? 'python3' : 'node'} on the machine running Nimbus, and none was found on PATH.`,
    );
  }
}
