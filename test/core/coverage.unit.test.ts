// docs/coverage.md is generated: it must match the providers as they are, and name no unknown operation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { implementedOperations } from '../../src/services/registry.js';

interface CoverageScript {
  loadModels(): Record<string, { protocol: string; operations: string[] }>;
  renderCoverage(services: unknown, providers: Record<string, Record<string, boolean>>): { markdown: string; unknown: string[] };
}

test('docs/coverage.md is up to date (regenerate: npm run coverage)', async () => {
  const script = (await import(new URL('../../../scripts/coverage.mjs', import.meta.url).href)) as CoverageScript;
  const implemented = await implementedOperations();
  const providers = Object.fromEntries(
    Object.entries(implemented).map(([svc, ops]) => [svc, Object.fromEntries(ops.map((op) => [op, true]))]),
  );
  const { markdown, unknown } = script.renderCoverage(script.loadModels(), providers);
  assert.deepEqual(unknown, [], 'provider handlers that name no operation of the model');
  const committed = readFileSync(new URL('../../../docs/coverage.md', import.meta.url), 'utf8');
  assert.equal(committed, markdown, 'docs/coverage.md differs from the providers: run npm run coverage');
  assert.ok(implemented.sts.includes('GetCallerIdentity'));
});
