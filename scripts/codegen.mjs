#!/usr/bin/env node
// Generates Nimbus's service models and types from botocore's service-2.json files:
//   models/<svc>.json       botocore model trimmed for runtime (+ models/overlay.json corrections)
//   models/index.json       service name → the metadata routing needs
//   src/generated/<svc>.ts  TypeScript shapes + handler interfaces (TYPED services only)
// Usage: node scripts/codegen.mjs            (BOTOCORE_DATA=/path/to/botocore/data to override)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MODELS = join(ROOT, 'models');
const GENERATED = join(ROOT, 'src', 'generated');

const TYPED = [
  'sts',
  's3',
  'sqs',
  'sns',
  'dynamodb',
  'dynamodbstreams',
  'lambda',
  'iam',
  'kms',
  'cloudwatch',
  'logs',
  'events',
  'cloudformation',
  'secretsmanager',
  'ssm',
  'cloudtrail',
  'scheduler',
  'xray',
  'schemas',
  'ec2',
  'elbv2',
  'autoscaling',
];
const MODEL_ONLY = [
  'apigateway',
  'route53',
  'stepfunctions',
  'kinesis',
  'firehose',
  'ses',
  'sesv2',
  'acm',
  'cognito-idp',
  'ecr',
  's3control',
  'sso',
  'sso-oidc',
  'ecs',
  'rds',
  'elasticache',
  'appsync',
  'opensearch',
  'athena',
  'glue',
  'batch',
  'resourcegroupstaggingapi',
  'apigatewayv2',
  'swf',
  'transcribe',
  'redshift',
  'es',
  'config',
  'organizations',
  'route53resolver',
  'wafv2',
  'pipes',
  'account',
];

// ---------------------------------------------------------------- inputs

function botocoreData() {
  if (process.env.BOTOCORE_DATA) return process.env.BOTOCORE_DATA;
  const py = 'import botocore,os;print(os.path.join(os.path.dirname(botocore.__file__),"data"))';
  return execFileSync('python3', ['-c', py], { encoding: 'utf8' }).trim();
}

/** botocore's package version, read from data/../__init__.py so no second python call is needed. */
function botocoreVersion(dataDir) {
  try {
    const m = /__version__\s*=\s*['"]([^'"]+)['"]/.exec(readFileSync(join(dataDir, '..', '__init__.py'), 'utf8'));
    return m ? m[1] : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The newest API version of a service that has a service-2 model (older dirs may hold only examples). */
function loadBotocoreModel(dataDir, svc) {
  const dir = join(dataDir, svc);
  if (!existsSync(dir)) return undefined;
  const versions = readdirSync(dir)
    .filter((v) => existsSync(join(dir, v, 'service-2.json.gz')))
    .sort();
  if (!versions.length) return undefined;
  return JSON.parse(gunzipSync(readFileSync(join(dir, versions.at(-1), 'service-2.json.gz'))).toString('utf8'));
}

// ---------------------------------------------------------------- trimming

// Keys with no runtime meaning for a server (docs, SDK endpoint/auth hints, client-side flags).
const DROP = new Set([
  'documentation',
  'documentationUrl',
  'examples',
  'contextParam',
  'staticContextParams',
  'operationContextParams',
  'clientContextParams',
  'endpointdiscovery',
  'sensitive',
  'box',
  'auth',
]);
const keep = (obj) => Object.fromEntries(Object.entries(obj).filter(([k]) => !DROP.has(k) && !k.startsWith('deprecated')));

// Strip structurally, never recursively by key name: member names such as `documentation` must survive.
function trimShape(shape) {
  const out = keep(shape);
  if (shape.members) out.members = Object.fromEntries(Object.entries(shape.members).map(([n, r]) => [n, keep(r)]));
  for (const k of ['member', 'key', 'value']) if (shape[k]) out[k] = keep(shape[k]);
  return out;
}

function trimOperation(op) {
  // `deprecated` stays on operations: routing prefers the current one where two share a URI
  const out = { ...keep(op), ...(op.deprecated ? { deprecated: true } : {}) };
  for (const k of ['input', 'output']) if (op[k]) out[k] = keep(op[k]);
  if (op.errors) out.errors = op.errors.map(keep);
  return out;
}

function trimModel(model) {
  return {
    metadata: keep(model.metadata),
    operations: Object.fromEntries(Object.entries(model.operations).map(([n, o]) => [n, trimOperation(o)])),
    shapes: Object.fromEntries(Object.entries(model.shapes).map(([n, s]) => [n, trimShape(s)])),
  };
}

/** Objects merge key by key; anything else replaces; `null` deletes the key. */
function deepMerge(target, patch) {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete target[k];
    else if (isObj(v) && isObj(target[k])) deepMerge(target[k], v);
    else target[k] = structuredClone(v);
  }
  return target;
}
const isObj = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What routing needs of a service; `modelled` says whether models/<svc>.json exists. */
function indexEntry(md, modelled) {
  return {
    endpointPrefix: md.endpointPrefix,
    signingName: md.signingName ?? md.endpointPrefix,
    protocol: md.protocol,
    protocols: md.protocols ?? [md.protocol],
    targetPrefix: md.targetPrefix,
    jsonVersion: md.jsonVersion,
    serviceId: md.serviceId,
    smithyName: md.targetPrefix, // rpc-v2-cbor paths use the Smithy service name, which botocore exposes as targetPrefix
    modelled,
  };
}

// ---------------------------------------------------------------- TypeScript

const pascal = (svc) =>
  svc
    .split(/[^A-Za-z0-9]+/)
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('');
const camel = (svc) => pascal(svc)[0].toLowerCase() + pascal(svc).slice(1);

// Names a generated declaration must not take: globals the generated code (or handler code importing it)
// refers to, TS/JS reserved words (sns has a shape called `boolean`), and our own imports/exports.
const RESERVED = new Set([
  'Array',
  'ArrayBuffer',
  'BigInt',
  'Boolean',
  'Buffer',
  'Date',
  'Error',
  'Function',
  'Intl',
  'Iterable',
  'JSON',
  'Map',
  'Math',
  'Number',
  'Object',
  'Partial',
  'Pick',
  'Omit',
  'Promise',
  'Readonly',
  'Record',
  'Required',
  'Readable',
  'RegExp',
  'Set',
  'String',
  'Symbol',
  'Uint8Array',
  'WeakMap',
  'Handler',
  'any',
  'unknown',
  'never',
  'string',
  'number',
  'boolean',
  'bigint',
  'symbol',
  'object',
  'undefined',
  'null',
  'void',
  'type',
  'interface',
  'enum',
  'class',
  'function',
  'var',
  'let',
  'const',
  'new',
  'delete',
  'in',
  'instanceof',
  'typeof',
  'keyof',
  'default',
  'import',
  'export',
  'extends',
  'implements',
  'package',
  'private',
  'protected',
  'public',
  'static',
  'yield',
  'await',
  'this',
  'super',
  'true',
  'false',
  'if',
  'else',
  'for',
  'while',
  'do',
  'switch',
  'case',
  'break',
  'continue',
  'return',
  'throw',
  'try',
  'catch',
  'finally',
  'with',
  'debugger',
  'declare',
  'module',
  'namespace',
  'global',
  'require',
]);

/** Shape names that get a declaration (structures, string enums) → their TS name, suffixed `_` on collision. */
function declarationNames(model, svc) {
  const taken = new Set([...RESERVED, `${pascal(svc)}Handlers`, `${pascal(svc)}Provider`]);
  const names = new Map();
  for (const [name, shape] of Object.entries(model.shapes)) {
    if (!isDeclared(shape)) continue;
    let ts = name;
    while (taken.has(ts) || (ts !== name && model.shapes[ts])) ts += '_'; // never reuse another shape's name
    taken.add(ts);
    names.set(name, ts);
  }
  return names;
}
const isDeclared = (s) => (s.type === 'structure' && !s.document) || (s.type === 'string' && s.enum);

const STREAM = "Buffer | Uint8Array | string | import('node:stream').Readable";

function tsType(ref, model, names, depth = 0) {
  const shape = model.shapes[ref.shape];
  if (!shape) throw new Error(`unknown shape ${ref.shape}`);
  if (depth > 20) throw new Error(`shape nesting too deep at ${ref.shape}`); // only a list/map cycle gets here
  if (names.has(ref.shape)) return names.get(ref.shape);
  switch (shape.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
    case 'byte':
    case 'short':
    case 'bigdecimal':
    case 'biginteger':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'timestamp':
      return 'Date';
    case 'blob':
      return ref.streaming || shape.streaming ? STREAM : 'Buffer';
    case 'list': {
      const t = tsType(shape.member, model, names, depth + 1);
      return /[ |]/.test(t) ? `(${t})[]` : `${t}[]`;
    }
    case 'map':
      return `Record<string, ${tsType(shape.value, model, names, depth + 1)}>`;
    case 'structure':
    case 'document':
      return 'unknown'; // document types: any JSON value
    default:
      throw new Error(`unhandled shape type ${shape.type} (${ref.shape})`);
  }
}

const prop = (n) => (/^[A-Za-z_$][\w$]*$/.test(n) ? n : JSON.stringify(n));

function generateTypes(svc, model, version) {
  const names = declarationNames(model, svc);
  const P = pascal(svc);
  const out = [
    `// Generated by scripts/codegen.mjs from botocore ${version}. Do not edit.`,
    `// ${model.metadata.serviceId} ${model.metadata.apiVersion}; corrections go in models/overlay.json.`,
    `import type { Handler } from '../services/types.js';`,
    '',
  ];
  for (const [name, shape] of Object.entries(model.shapes)) {
    const ts = names.get(name);
    if (!ts) continue;
    if (shape.type === 'string') {
      out.push(`export type ${ts} = ${[...new Set(shape.enum)].map((v) => JSON.stringify(v)).join(' | ')};`);
      continue;
    }
    const required = new Set(shape.union ? [] : (shape.required ?? [])); // a union sets exactly one member
    out.push(`export interface ${ts} {`);
    for (const [m, ref] of Object.entries(shape.members ?? {})) {
      out.push(`  ${prop(m)}${required.has(m) ? '' : '?'}: ${tsType(ref, model, names)};`);
    }
    out.push('}');
  }
  out.push('', `export interface ${P}Handlers {`);
  for (const [opName, op] of Object.entries(model.operations)) {
    const input = op.input ? tsType(op.input, model, names) : 'Record<string, never>';
    const output = op.output ? tsType(op.output, model, names) : 'void';
    out.push(`  ${prop(opName)}: Handler<${input}, ${output}>;`);
  }
  out.push('}', '', `export type ${P}Provider = Partial<${P}Handlers>;`, '');
  out.push(`export const ${camel(svc)}Operations = [`);
  for (const opName of Object.keys(model.operations)) out.push(`  ${JSON.stringify(opName)},`);
  out.push('] as const;', '');
  return out.join('\n');
}

// ---------------------------------------------------------------- main

function main() {
  const dataDir = botocoreData();
  const version = botocoreVersion(dataDir);
  const overlayPath = join(MODELS, 'overlay.json');
  mkdirSync(MODELS, { recursive: true });
  mkdirSync(GENERATED, { recursive: true });
  if (!existsSync(overlayPath)) {
    writeFileSync(
      overlayPath,
      JSON.stringify(
        { _comment: 'Corrections to botocore models, deep-merged into models/<svc>.json by codegen. Key by service name.' },
        null,
        2,
      ) + '\n',
    );
  }
  const overlay = JSON.parse(readFileSync(overlayPath, 'utf8'));
  for (const key of Object.keys(overlay)) {
    if (!key.startsWith('_') && !TYPED.includes(key) && !MODEL_ONLY.includes(key)) console.warn(`overlay: unknown service ${key}`);
  }

  const index = {};
  let totalModel = 0,
    totalTs = 0;
  console.log(`botocore ${version} from ${dataDir}`);
  for (const svc of [...TYPED, ...MODEL_ONLY]) {
    const raw = loadBotocoreModel(dataDir, svc);
    if (!raw) {
      console.warn(`warning: ${svc}: no service-2.json.gz in botocore data, skipped`);
      continue;
    }
    const model = deepMerge(trimModel(raw), overlay[svc] ?? {});
    const md = model.metadata;
    index[svc] = indexEntry(md, true);
    const marker = `by scripts/codegen.mjs from botocore ${version} — do not edit; corrections go in models/overlay.json`;
    const json = JSON.stringify({ _generated: marker, ...model });
    writeFileSync(join(MODELS, `${svc}.json`), json + '\n');
    const modelBytes = Buffer.byteLength(json) + 1;
    let tsBytes = 0;
    if (TYPED.includes(svc)) {
      const ts = generateTypes(svc, model, version);
      writeFileSync(join(GENERATED, `${svc}.ts`), ts);
      tsBytes = Buffer.byteLength(ts);
    }
    totalModel += modelBytes;
    totalTs += tsBytes;
    const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
    console.log(
      `${svc.padEnd(26)} ${md.protocol.padEnd(19)} ops ${String(Object.keys(model.operations).length).padStart(4)}` +
        `  shapes ${String(Object.keys(model.shapes).length).padStart(5)}  model ${kb(modelBytes).padStart(7)}` +
        (tsBytes ? `  types ${kb(tsBytes).padStart(6)}` : ''),
    );
  }
  // every other AWS service is indexed too, without a model: Nimbus then answers NotImplemented in its protocol
  for (const svc of readdirSync(dataDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()) {
    if (index[svc]) continue;
    const raw = loadBotocoreModel(dataDir, svc);
    if (raw) index[svc] = indexEntry(raw.metadata, false);
  }
  // index.json stays a pure service → entry map (model.ts reads it as Record<string, ModelIndexEntry>),
  // so it carries no `_generated` key; it is regenerated wholesale from the model files above.
  const lines = Object.entries(index).map(([svc, e]) => `  ${JSON.stringify(svc)}: ${JSON.stringify(e)}`);
  writeFileSync(join(MODELS, 'index.json'), `{\n${lines.join(',\n')}\n}\n`); // one service per line: readable diffs
  console.log(
    `${Object.keys(index).length} services; models ${(totalModel / 1048576).toFixed(1)} MB,` +
      ` types ${(totalTs / 1048576).toFixed(1)} MB`,
  );
}

main();
