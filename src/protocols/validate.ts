// Input validation from the model's constraints (required, length, range, pattern, enum), with the
// messages AWS's frontends write: "1 validation error detected: Value null at 'roleArn' failed to
// satisfy constraint: Member must not be null". Services with their own validation (S3) opt out.
import type { ServiceModel, ShapeRef } from './model.js';
import { ServiceError } from '../services/errors.js';

const MAX_REPORTED = 10;
const patternCache = new Map<string, RegExp | null>();

function compile(pattern: string): RegExp | null {
  let re = patternCache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(`^(?:${pattern})$`, 'su');
    } catch {
      re = null; // a Java regex JavaScript cannot read: not checked
    }
    patternCache.set(pattern, re);
  }
  return re;
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

function shown(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (v instanceof Date) return v.toISOString();
  if (Buffer.isBuffer(v)) return `java.nio.HeapByteBuffer[pos=0 lim=${v.length} cap=${v.length}]`;
  if (Array.isArray(v)) return `[${v.map(shown).join(', ')}]`;
  if (typeof v === 'object')
    return (
      '{' +
      Object.entries(v as object)
        .map(([k, x]) => `${k}=${shown(x)}`)
        .join(', ') +
      '}'
    );
  return `'${String(v)}'`;
}

class Validator {
  readonly errors: string[] = [];

  constructor(private readonly model: ServiceModel) {}

  private fail(value: unknown, path: string, constraint: string) {
    this.errors.push(`Value ${shown(value)} at '${path}' failed to satisfy constraint: Member must ${constraint}`);
  }

  check(ref: ShapeRef, value: unknown, path: string): void {
    if (this.errors.length >= MAX_REPORTED) return;
    const shape = this.model.shape(ref.shape);
    switch (shape.type) {
      case 'structure': {
        const obj = value as Record<string, unknown>;
        const required = new Set(shape.required ?? []);
        for (const [name, member] of Object.entries(shape.members ?? {})) {
          const memberPath = path ? `${path}.${lowerFirst(name)}` : lowerFirst(name);
          const v = obj[name];
          if (v === undefined || v === null) {
            if (required.has(name) && member.location !== 'uri') this.fail(v, memberPath, 'not be null');
            continue;
          }
          this.check(member, v, memberPath);
        }
        return;
      }
      case 'list': {
        const list = value as unknown[];
        this.length(list.length, shape.min, shape.max, value, path);
        list.forEach((item, i) => item !== null && item !== undefined && this.check(shape.member!, item, `${path}.${i + 1}.member`));
        return;
      }
      case 'map': {
        const entries = Object.entries(value as Record<string, unknown>);
        this.length(entries.length, shape.min, shape.max, value, path);
        for (const [k, v] of entries) {
          this.check(shape.key!, k, `${path}.${k}.key`);
          if (v !== null && v !== undefined) this.check(shape.value!, v, `${path}.${k}.value`);
        }
        return;
      }
      case 'string': {
        const s = value as string;
        this.length([...s].length, shape.min, shape.max, value, path);
        if (shape.enum && !shape.enum.includes(s)) this.fail(value, path, `satisfy enum value set: [${shape.enum.join(', ')}]`);
        const re = shape.pattern ? compile(shape.pattern) : null;
        if (re && !re.test(s)) this.fail(value, path, `satisfy regular expression pattern: ${shape.pattern}`);
        return;
      }
      case 'blob':
        this.length((value as Buffer).length ?? 0, shape.min, shape.max, value, path);
        return;
      case 'integer':
      case 'long':
      case 'float':
      case 'double':
      case 'short':
      case 'byte': {
        const n = value as number;
        if (shape.min !== undefined && n < shape.min) this.fail(value, path, `have value greater than or equal to ${shape.min}`);
        if (shape.max !== undefined && n > shape.max) this.fail(value, path, `have value less than or equal to ${shape.max}`);
        return;
      }
      default:
        return;
    }
  }

  private length(n: number, min: number | undefined, max: number | undefined, value: unknown, path: string) {
    if (min !== undefined && n < min) this.fail(value, path, `have length greater than or equal to ${min}`);
    if (max !== undefined && n > max) this.fail(value, path, `have length less than or equal to ${max}`);
  }
}

/** Throws ValidationError (query services) or ValidationException (others) listing what is wrong. */
export function validateInput(model: ServiceModel, operation: string, input: Record<string, unknown>, protocol: string): void {
  const ref = model.operations[operation]?.input;
  if (!ref) return;
  const v = new Validator(model);
  v.check(ref, input, '');
  if (!v.errors.length) return;
  const n = v.errors.length;
  const message = `${n} validation error${n > 1 ? 's' : ''} detected: ${v.errors.join('; ')}`;
  throw new ServiceError(protocol === 'query' ? 'ValidationError' : 'ValidationException', message, 400);
}
