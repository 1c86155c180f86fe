// Parameter Store's rules as pure functions: names (characters, reserved prefixes, hierarchy depth),
// name selectors (`name:version`, `name:label`, ARNs), values (tier sizes, AllowedPattern, data
// types) and labels. Each throws the ServiceError AWS answers with.
import { ServiceError } from '../../kit.js';
import { validation } from './errors.js';

export const MAX_LEVELS = 15;
export const STANDARD_MAX = 4096;
export const ADVANCED_MAX = 8192;
export const DATA_TYPES = ['text', 'aws:ec2:image', 'aws:ssm:integration'];

const NAME_RULES =
  'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_';

/** Throws unless `name` may be created by PutParameter. */
export function checkName(name: string): void {
  const bare = name.replace(/^\//, '').toLowerCase();
  const isPath = name.split('/').length > 2;
  if (/^\/aws\//i.test(name)) throw new ServiceError('AccessDeniedException', `No access to reserved parameter name: ${name}.`, 400);
  if (!/^[a-zA-Z0-9_.\-/]+$/.test(name) || name.includes('//') || name.endsWith('/')) throw validation(NAME_RULES);
  if (bare.startsWith('aws') || bare.startsWith('ssm')) {
    throw validation(
      isPath ? NAME_RULES.replace('"aws" or "ssm"', '"ssm"') : 'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).',
    );
  }
  if (name.includes('/') && !name.startsWith('/')) throw validation('Parameter name must be a fully qualified name.');
  checkDepth(name);
}

export function checkDepth(name: string): void {
  if (name.split('/').filter(Boolean).length > MAX_LEVELS) {
    throw new ServiceError(
      'HierarchyLevelLimitExceededException',
      'A hierarchy can have a maximum of 15 levels. For more information, see Requirements and constraints for parameter names in the Amazon Web Services Systems Manager User Guide.',
      400,
    );
  }
}

export interface Selector {
  /** the parameter's name (ARN prefix removed) */
  name: string;
  version?: number;
  label?: string;
  /** `:3` or `:prod`, as GetParameter echoes it */
  text?: string;
}

/** Splits `arn:aws:ssm:…:parameter/x:label` or `/x:3` into its name and selector. */
export function parseSelector(raw: string): Selector {
  let name = raw;
  const arn = /^arn:aws[a-z-]*:ssm:[^:]*:[^:]*:parameter(\/.*)$/.exec(raw);
  if (arn) name = arn[1];
  const at = name.indexOf(':');
  if (at < 0) return { name };
  const sel = name.slice(at + 1);
  name = name.slice(0, at);
  if (/^\d+$/.test(sel)) return { name, version: Number(sel), text: `:${sel}` };
  return { name, label: sel, text: `:${sel}` };
}

/** The names an ARN-derived name may stand for: `parameter/x` is `x` or `/x`. */
export const candidates = (name: string): string[] =>
  name.startsWith('/') && name.split('/').length === 2 ? [name.slice(1), name] : [name];

/** The tier a value lands in: Intelligent-Tiering picks Standard while the value fits it. */
export function chooseTier(
  requested: string | undefined,
  previous: 'Standard' | 'Advanced' | undefined,
  value: string,
  hasPolicies: boolean,
): 'Standard' | 'Advanced' {
  let tier: 'Standard' | 'Advanced';
  if (requested === 'Intelligent-Tiering')
    tier = value.length > STANDARD_MAX || hasPolicies || previous === 'Advanced' ? 'Advanced' : 'Standard';
  else if (requested === 'Standard' || requested === 'Advanced') tier = requested;
  else if (requested !== undefined)
    throw validation(
      `1 validation error detected: Value '${requested}' at 'tier' failed to satisfy constraint: Member must satisfy enum value set: [Advanced, Intelligent-Tiering, Standard]`,
    );
  else tier = previous ?? 'Standard';
  if (previous === 'Advanced' && tier === 'Standard') {
    throw validation(
      "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.",
    );
  }
  if (tier === 'Standard' && value.length > STANDARD_MAX) {
    throw validation(
      'Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html',
    );
  }
  if (value.length > ADVANCED_MAX) throw validation('Advanced tier parameters support a maximum parameter value of 8192 characters.');
  if (hasPolicies && tier === 'Standard') throw validation('Parameter policies are supported only for advanced parameters.');
  return tier;
}

/** Throws ParameterPatternMismatchException when the whole value does not match the pattern. */
export function checkPattern(value: string, pattern: string | undefined): void {
  if (!pattern) return;
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${pattern})$`, 's');
  } catch {
    throw validation(`The allowed pattern is not a valid regular expression: ${pattern}`);
  }
  if (!re.test(value))
    throw new ServiceError(
      'ParameterPatternMismatchException',
      `Parameter value, cannot be validated against allowedPattern: ${pattern}`,
      400,
    );
}

export function checkDataType(dataType: string, type: string, value: string): void {
  if (!DATA_TYPES.includes(dataType))
    throw validation(`The following data type is not supported: ${dataType} (Data type names are all lowercase.)`);
  if (dataType !== 'text' && type !== 'String')
    throw validation(`The data type ${dataType} is supported only for parameters of type String.`);
  if (dataType === 'aws:ec2:image' && !/^ami-[0-9a-f]{8,17}$/.test(value))
    throw validation(`Parameter value, ${value}, is not a valid AMI ID for the data type aws:ec2:image.`);
}

/** Labels AWS refuses (reported in InvalidLabels, not as an error). */
export const invalidLabel = (label: string): boolean => /^(aws|ssm)/i.test(label) || /^\d/.test(label) || !/^[a-zA-Z0-9_.-]+$/.test(label);
