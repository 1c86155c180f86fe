// Table names checked as DynamoDB checks them, before any table is looked up: a name that could
// never exist is a ValidationException, not "Requested resource not found". Operations that also
// take a table ARN check only names that are not ARNs; CreateTable also checks the length (3-255).
import { invalid } from './values.js';

const PATTERN = /^[a-zA-Z0-9_.-]+$/;

export function checkTableName(name: unknown, create: boolean): void {
  if (typeof name !== 'string' || name === '' || (!create && name.startsWith('arn:'))) return;
  const errors: string[] = [];
  const at = `Value '${name}' at 'tableName' failed to satisfy constraint:`;
  if (!PATTERN.test(name)) errors.push(`${at} Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+`);
  if (create && name.length < 3) errors.push(`${at} Member must have length greater than or equal to 3`);
  if (name.length > 255) errors.push(`${at} Member must have length less than or equal to 255`);
  if (errors.length) throw invalid(`${errors.length} validation error${errors.length > 1 ? 's' : ''} detected: ${errors.join('; ')}`);
}
