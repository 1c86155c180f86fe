#!/usr/bin/env node
// Starts a new service in the kit's shape: `npm run new-service <name>` (the botocore model name,
// e.g. kms, logs, cognito-idp) writes
//   src/services/<name>/provider.ts   the ServiceDefinition, its provider typed from src/generated/<name>.ts
//   src/services/registry.ts          the import and the entry in `services`
//   test/<name>.test.ts               a test that starts a server and calls one operation
// generates src/generated/<name>.ts first when missing (adding the service to codegen's TYPED list),
// then regenerates docs/coverage.md (`npm run coverage`). It refuses to overwrite anything.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = process.env.NIMBUS_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), '..');
const at = (...p) => join(ROOT, ...p);
const pascal = (svc) =>
  svc
    .split(/[^A-Za-z0-9]+/)
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('');
const camel = (svc) => pascal(svc)[0].toLowerCase() + pascal(svc).slice(1);

function fail(message) {
  console.error(`new-service: ${message}`);
  process.exit(1);
}

const name = process.argv[2];
if (!name || !/^[a-z][a-z0-9-]*$/.test(name)) fail('usage: npm run new-service <botocore service name>, e.g. kms');
const index = JSON.parse(readFileSync(at('models', 'index.json'), 'utf8'));
if (!index[name]) fail(`no service "${name}" in models/index.json (run npm run codegen after adding it to scripts/codegen.mjs)`);
const providerPath = at('src', 'services', name, 'provider.ts');
const testPath = at('test', name, `${name}.test.ts`);
for (const p of [providerPath, testPath]) if (existsSync(p)) fail(`${p} exists; nothing written`);
const registryPath = at('src', 'services', 'registry.ts');
const registry = readFileSync(registryPath, 'utf8');
const id = camel(name);
if (registry.includes(`'./${name}/provider.js'`)) fail(`${name} is already in src/services/registry.ts`);

// 1. the generated types: add the service to codegen's TYPED list and generate when missing
if (!existsSync(at('src', 'generated', `${name}.ts`))) {
  const codegenPath = at('scripts', 'codegen.mjs');
  const codegen = readFileSync(codegenPath, 'utf8');
  const typed = /const TYPED = \[([^\]]*)\];/.exec(codegen);
  if (!typed) fail('cannot find the TYPED list in scripts/codegen.mjs');
  if (!typed[1].includes(`'${name}'`)) {
    let text = codegen.replace(typed[0], typed[0].replace(/\];$/, `, '${name}'];`));
    // a service is typed or model-only, not both
    const modelOnly = /const MODEL_ONLY = \[([^\]]*)\];/.exec(text);
    if (modelOnly?.[1].includes(`'${name}'`))
      text = text.replace(modelOnly[0], modelOnly[0].replace(new RegExp(`'${name}',\\s*|,\\s*'${name}'`), ''));
    writeFileSync(codegenPath, text);
  }
  console.log(`new-service: generating src/generated/${name}.ts`);
  execFileSync(process.execPath, [at('scripts', 'codegen.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (!existsSync(at('src', 'generated', `${name}.ts`))) fail(`codegen wrote no src/generated/${name}.ts`);
}

// 2. the provider stub
const model = JSON.parse(readFileSync(at('models', `${name}.json`), 'utf8'));
const P = pascal(name);
mkdirSync(dirname(providerPath), { recursive: true });
mkdirSync(dirname(testPath), { recursive: true });
writeFileSync(
  providerPath,
  `// ${model.metadata.serviceFullName ?? model.metadata.serviceId}: what Nimbus serves of it. Keep this file to wiring:
// each concern (resources, validation, state) in its own module of this folder, imported here.
import type { ${P}Provider } from '../../generated/${name}.js';
import type { Runtime, ServiceDefinition } from '../../kit.js';

function create(rt: Runtime): ${P}Provider {
  void rt; // state: rt.stores('${name}', (scope) => …); time: ctx.clock; other services: rt.integrations
  return {
    // OperationName: (input, ctx) => ({ … }),  typed by ${P}Provider; throw new ServiceError(code, message)
  };
}

// The service's wire dialect, when it departs from its protocol's (see ServiceProfile in src/services/types.ts).
export const ${id}: ServiceDefinition = { name: '${name}', create };
`,
);

// 3. the registry line
const lastImport = [...registry.matchAll(/^import .*;$/gm)].at(-1);
let next =
  registry.slice(0, lastImport.index + lastImport[0].length) +
  `\nimport { ${id} } from './${name}/provider.js';` +
  registry.slice(lastImport.index + lastImport[0].length);
next = next.replace(/(export const services: ServiceDefinition\[\] = \[[^\]]*)\];/, `$1, ${id}];`);
if (!next.includes(`, ${id}];`)) fail('cannot find the services list in src/services/registry.ts');
writeFileSync(registryPath, next);

// 4. a test that starts a server and calls one operation: one without required members, listing first
const inputOf = (op) => (op.input ? model.shapes[op.input.shape] : undefined);
const ops = Object.values(model.operations);
const callable = ops.filter((op) => !inputOf(op)?.required?.length);
const op = callable.find((o) => /^(List|Describe|Get)/.test(o.name)) ?? callable[0] ?? ops[0];
const signingName = index[name].signingName;
writeFileSync(
  testPath,
  `// ${model.metadata.serviceId}: the scaffold's first test. It calls ${op.name} through the gateway and expects
// the stub's answer; replace it with the official client (@aws-sdk/client-…) as operations are served.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverForFile, region } from '../helpers.js';

const nimbus = serverForFile();

/** A request signed with a key Nimbus takes on its word (IAM not enforced): the scope routes it to ${name}. */
function signedHeaders(): Record<string, string> {
  const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\\.\\d{3}/, '');
  const scope = \`test/\${amzDate.slice(0, 8)}/\${region}/${signingName}/aws4_request\`;
  return { 'x-amz-date': amzDate, authorization: \`AWS4-HMAC-SHA256 Credential=\${scope}, SignedHeaders=host;x-amz-date, Signature=0\` };
}

test('${op.name} reaches the ${name} provider: not implemented yet, in the service\\'s protocol', async () => {
  const protocol: string = ${JSON.stringify(model.metadata.protocol)};
  const headers = signedHeaders();
  let url = nimbus.url + '/';
  let method = 'POST';
  let body: string | undefined;
  if (protocol === 'json') {
    headers['x-amz-target'] = ${JSON.stringify(`${model.metadata.targetPrefix}.${op.name}`)};
    headers['content-type'] = 'application/x-amz-json-${model.metadata.jsonVersion ?? '1.0'}';
    body = '{}';
  } else if (protocol === 'query' || protocol === 'ec2') {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = ${JSON.stringify(`Action=${op.name}&Version=${model.metadata.apiVersion}`)};
  } else {
    method = ${JSON.stringify(op.http?.method ?? 'GET')};
    url = nimbus.url + ${JSON.stringify((op.http?.requestUri ?? '/').replace(/\{[^}]+\}/g, 'x'))};
    if (method !== 'GET' && method !== 'HEAD') body = protocol === 'rest-json' ? '{}' : '';
  }
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  assert.equal(res.status, 501, text);
  assert.match(text, /NotImplemented/);
  assert.match(text, /${op.name}/);
});
`,
);

// 5. docs/coverage.md
console.log('new-service: regenerating docs/coverage.md');
execFileSync('npm', ['run', '-s', 'coverage'], { cwd: ROOT, stdio: 'inherit' });
console.log(`new-service: wrote ${providerPath}, ${testPath}; added ${id} to src/services/registry.ts`);
