// The checksums SQS returns and clients verify: MD5 of the body, and of message (system) attributes
// in AWS's binary encoding — names sorted; each name, data type and value length-prefixed (4-byte
// big-endian), the value preceded by its transport type (1 string, 2 binary).
import { createHash } from 'node:crypto';
import type { MessageAttributeValue } from '../../generated/sqs.js';

export const md5Hex = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

function lengthPrefixed(b: Buffer): Buffer[] {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return [len, b];
}

export function md5OfAttributes(attrs: Record<string, MessageAttributeValue> | undefined): string | undefined {
  if (!attrs) return undefined;
  const names = Object.keys(attrs).sort();
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  for (const name of names) {
    const a = attrs[name];
    for (const part of [...lengthPrefixed(Buffer.from(name)), ...lengthPrefixed(Buffer.from(a.DataType))]) hash.update(part);
    if (a.BinaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      for (const part of lengthPrefixed(Buffer.from(a.BinaryValue))) hash.update(part);
    } else {
      hash.update(Buffer.from([1]));
      for (const part of lengthPrefixed(Buffer.from(a.StringValue ?? '', 'utf8'))) hash.update(part);
    }
  }
  return hash.digest('hex');
}
