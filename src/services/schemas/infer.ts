// Schema content: checking OpenAPI 3 and JSON Schema draft 4 documents as the registry takes them,
// inferring a schema from events (what a discoverer and GetDiscoveredSchema do), and exporting an
// OpenAPI 3 schema as JSON Schema draft 4.
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type SchemaObject = Record<string, unknown>;

export class ContentError extends Error {}

const DRAFT4 = 'http://json-schema.org/draft-04/schema#';
const ENVELOPE = ['account', 'detail', 'detail-type', 'id', 'region', 'resources', 'source', 'time', 'version'];

/** Checks a schema's content for its type; throws ContentError with what is wrong. */
export function checkContent(type: string, content: string): void {
  let doc: unknown;
  try {
    doc = JSON.parse(content);
  } catch {
    throw new ContentError('Invalid schema content: the content is not valid JSON.');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    throw new ContentError('Invalid schema content: the content must be a JSON object.');
  const d = doc as Record<string, unknown>;
  if (type === 'OpenApi3') {
    if (typeof d.openapi !== 'string' || !/^3\.\d+\.\d+$/.test(d.openapi))
      throw new ContentError('Invalid OpenApi3 schema: "openapi" must be a 3.x.y version string.');
    if (!d.info || typeof d.info !== 'object') throw new ContentError('Invalid OpenApi3 schema: "info" is required.');
    const info = d.info as Record<string, unknown>;
    if (typeof info.title !== 'string' || typeof info.version !== 'string')
      throw new ContentError('Invalid OpenApi3 schema: "info.title" and "info.version" are required strings.');
    if (d.paths !== undefined && (typeof d.paths !== 'object' || d.paths === null))
      throw new ContentError('Invalid OpenApi3 schema: "paths" must be an object.');
    const schemas = (d.components as Record<string, unknown> | undefined)?.schemas;
    if (schemas !== undefined && (typeof schemas !== 'object' || schemas === null || Array.isArray(schemas)))
      throw new ContentError('Invalid OpenApi3 schema: "components.schemas" must be an object.');
    checkRefs(d, (ref) => ref.startsWith('#/components/schemas/') && !!(schemas as Record<string, unknown> | undefined)?.[ref.slice(21)]);
  } else if (type === 'JSONSchemaDraft4') {
    if (d.$schema !== undefined && !/draft-04/.test(String(d.$schema)))
      throw new ContentError('Invalid JSONSchemaDraft4 schema: "$schema" must name draft-04.');
    const types = ['object', 'array', 'string', 'number', 'integer', 'boolean', 'null'];
    for (const t of Array.isArray(d.type) ? d.type : d.type === undefined ? [] : [d.type]) {
      if (!types.includes(t as string)) throw new ContentError(`Invalid JSONSchemaDraft4 schema: unknown type ${JSON.stringify(t)}.`);
    }
    const defs = d.definitions as Record<string, unknown> | undefined;
    checkRefs(d, (ref) => !ref.startsWith('#/') || ref === '#' || (ref.startsWith('#/definitions/') && !!defs?.[ref.slice(14)]));
  } else {
    throw new ContentError(`Invalid schema type ${type}.`);
  }
}

function checkRefs(node: unknown, ok: (ref: string) => boolean): void {
  if (!node || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string' && !ok(v)) throw new ContentError(`Invalid schema content: unresolvable reference ${v}.`);
    checkRefs(v, ok);
  }
}

const pascal = (s: string) =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('') || 'Value';

/** A discovered schema's name: `source@DetailType` (the detail-type without its spaces and symbols). */
export const discoveredName = (source: string, detailType: string) => `${source}@${pascal(detailType)}`;

/** Infers OpenAPI schema objects for a value, naming nested objects (each in `components`). */
function infer(value: Json, name: string, components: Record<string, SchemaObject>, ref: (n: string) => string): SchemaObject {
  if (value === null) return {};
  if (Array.isArray(value)) return { type: 'array', items: value.length ? infer(value[0], name, components, ref) : {} };
  if (typeof value === 'object') {
    let n = name;
    for (let i = 1; components[n] && !sameKeys(components[n], value); i++) n = `${name}_${i}`;
    const required = Object.keys(value)
      .filter((k) => value[k] !== null)
      .sort();
    const properties: Record<string, SchemaObject> = {};
    components[n] = { type: 'object', required, properties };
    for (const k of Object.keys(value).sort()) properties[k] = infer(value[k], pascal(k), components, ref);
    return { $ref: ref(n) };
  }
  if (typeof value === 'number') return { type: 'number' };
  if (typeof value === 'boolean') return { type: 'boolean' };
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value)
    ? { type: 'string', format: 'date-time' }
    : { type: 'string' };
}

function sameKeys(schema: SchemaObject, value: Record<string, Json>): boolean {
  return JSON.stringify(Object.keys((schema.properties as object) ?? {}).sort()) === JSON.stringify(Object.keys(value).sort());
}

/** The schema of an EventBridge event (or of any JSON value when it is not one) in the type asked for. */
export function discover(events: Json[], type: 'OpenApi3' | 'JSONSchemaDraft4'): string {
  const first = events[0];
  const isEvent = !!first && typeof first === 'object' && !Array.isArray(first) && ENVELOPE.every((k) => k in first);
  const e = first as Record<string, Json>;
  const detailName = isEvent ? pascal(String(e['detail-type'])) : 'Event';
  const components: Record<string, SchemaObject> = {};
  const ref = type === 'OpenApi3' ? (n: string) => `#/components/schemas/${n}` : (n: string) => `#/definitions/${n}`;
  let root: SchemaObject;
  if (isEvent) {
    const detail = infer(e.detail, detailName, components, ref);
    root = {
      type: 'object',
      required: [...ENVELOPE].sort(),
      'x-amazon-events-detail-type': e['detail-type'],
      'x-amazon-events-source': e.source,
      properties: {
        account: { type: 'string' },
        detail: detail,
        'detail-type': { type: 'string' },
        id: { type: 'string' },
        region: { type: 'string' },
        resources: { type: 'array', items: { type: 'string' } },
        source: { type: 'string' },
        time: { type: 'string', format: 'date-time' },
        version: { type: 'string' },
      },
    };
  } else {
    root = infer(first ?? {}, 'Event', components, ref);
  }
  if (type === 'OpenApi3') {
    const schemas = isEvent ? { AWSEvent: root, ...components } : components;
    return JSON.stringify({
      openapi: '3.0.0',
      info: { version: '1.0.0', title: isEvent ? detailName : 'Event' },
      paths: {},
      components: { schemas },
    });
  }
  return JSON.stringify({ $schema: DRAFT4, title: isEvent ? 'AWSEvent' : 'Event', definitions: components, ...root });
}

/** An OpenAPI 3 schema as JSON Schema draft 4: its event (AWSEvent, else the first schema) at the root, the others as definitions. */
export function exportDraft4(openapi: string): string {
  const doc = JSON.parse(openapi) as { components?: { schemas?: Record<string, SchemaObject> } };
  const schemas = doc.components?.schemas ?? {};
  const rootName = schemas.AWSEvent ? 'AWSEvent' : Object.keys(schemas)[0];
  const rewrite = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (!v || typeof v !== 'object') return v;
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [
        k,
        k === '$ref' && typeof x === 'string' ? x.replace('#/components/schemas/', '#/definitions/') : rewrite(x),
      ]),
    );
  };
  const definitions = Object.fromEntries(
    Object.entries(schemas)
      .filter(([k]) => k !== rootName)
      .map(([k, v]) => [k, rewrite(v)]),
  );
  return JSON.stringify({
    $schema: DRAFT4,
    title: rootName ?? 'Schema',
    definitions,
    ...((rootName ? rewrite(schemas[rootName]) : {}) as object),
  });
}
