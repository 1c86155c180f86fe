// What a target receives: the whole event, a part of it (InputPath), a constant (Input), or a
// template filled from the event (InputTransformer), as the EventBridge user guide describes.
import { ServiceError } from '../../kit.js';

export interface TargetInput {
  Input?: string;
  InputPath?: string;
  InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
}

export interface RuleRef {
  name: string;
  arn: string;
}

/**
 * The value at a JSONPath of the kinds EventBridge evaluates (`$`, `$.detail.state`,
 * `$.resources[0]`, `$['a-b']`, wildcards `$.detail.items[*].id` and `$.detail.*`), or undefined.
 * A path with a wildcard gives the array of what it reaches.
 */
export function jsonPath(doc: unknown, path: string): unknown {
  if (path === '$') return doc;
  if (!path.startsWith('$.') && !path.startsWith('$[')) return undefined;
  const steps = [...path.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+|\*)\]|\['([^']+)'\]/g)].map((m) =>
    m[2] === '*' || m[1] === '*' ? '*' : (m[1] ?? m[3] ?? Number(m[2])),
  );
  let wild = false;
  let cur: unknown[] = [doc];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (v === null || typeof v !== 'object') continue;
      if (step === '*') {
        wild = true;
        next.push(...Object.values(v as object));
      } else {
        const x = (v as Record<string | number, unknown>)[step];
        if (x !== undefined) next.push(x);
      }
    }
    cur = next;
  }
  return wild ? cur : cur[0];
}

/** Checks a target's input settings when PutTargets saves them. */
export function checkInput(t: TargetInput): void {
  const set = [t.Input, t.InputPath, t.InputTransformer].filter((x) => x !== undefined).length;
  if (set > 1) throw new ServiceError('ValidationException', 'Only one of Input, InputPath, or InputTransformer must be provided.');
  if (t.Input !== undefined) {
    try {
      JSON.parse(t.Input);
    } catch {
      throw new ServiceError('ValidationException', 'Input is not valid JSON.');
    }
  }
  for (const [name, path] of Object.entries(t.InputTransformer?.InputPathsMap ?? {})) {
    if (name.startsWith('aws.')) throw new ServiceError('ValidationException', `InputPathsMap key ${name} is reserved.`);
    if (!/^\$(\.|\[|$)/.test(path)) throw new ServiceError('ValidationException', `Invalid InputPath for key ${name}: ${path}`);
  }
}

/** The body a target receives for this event. */
export function targetInput(t: TargetInput, event: Record<string, unknown>, rule: RuleRef): string {
  if (t.Input !== undefined) return t.Input;
  if (t.InputPath !== undefined) return JSON.stringify(jsonPath(event, t.InputPath) ?? null);
  if (!t.InputTransformer) return JSON.stringify(event);
  const values: Record<string, unknown> = {
    'aws.events.rule-arn': rule.arn,
    'aws.events.rule-name': rule.name,
    'aws.events.event.ingestion-time': event.time,
    // the original event without its detail; .json is the whole event
    'aws.events.event': Object.fromEntries(Object.entries(event).filter(([k]) => k !== 'detail' && k !== 'replay-name')),
    'aws.events.event.json': event,
  };
  for (const [name, path] of Object.entries(t.InputTransformer.InputPathsMap ?? {})) values[name] = jsonPath(event, path);
  return fill(t.InputTransformer.InputTemplate, values);
}

/**
 * Replaces each `<name>`: inside a JSON string literal by the value's text, elsewhere by its JSON.
 * A template that is not JSON at all (a plain sentence) gets the values' text.
 */
function fill(template: string, values: Record<string, unknown>): string {
  const trimmed = template.trim();
  const jsonish = trimmed.startsWith('{') || trimmed.startsWith('[') || trimmed.startsWith('"');
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === '\\' && inString) {
      out += c + (template[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    if (c === '<') {
      const end = template.indexOf('>', i);
      const name = end > 0 ? template.slice(i + 1, end) : '';
      if (end > 0 && Object.hasOwn(values, name)) {
        const v = values[name];
        if (!jsonish || inString) {
          const text = typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v);
          out += jsonish ? JSON.stringify(text).slice(1, -1) : text;
        } else {
          out += v === undefined ? 'null' : JSON.stringify(v);
        }
        i = end;
        continue;
      }
    }
    out += c;
  }
  return out;
}
