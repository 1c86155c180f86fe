// The encoded authorization failure messages: opaque, tamper-evident, decodable with the same key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { denialCodec, denialDetail } from '../../src/services/iam/denials.js';

function memory() {
  const m = new Map<string, string>();
  return { get: (k: string) => m.get(k), put: (k: string, v: string) => void m.set(k, v) } as never;
}

test('a denial decodes to the documented shape; a changed byte or another key decodes to nothing', () => {
  const meta = memory();
  const codec = denialCodec(meta);
  const detail = denialDetail({
    principalId: 'AIDAX',
    principalArn: 'arn:aws:iam::000000000000:user/bob',
    action: 'ec2:RunInstances',
    resource: '*',
    explicitDeny: false,
    conditions: { 'aws:requestedregion': 'us-east-1', 'aws:tagkeys': ['a', 'b'], missing: undefined },
  });
  const encoded = codec.encode(detail);
  assert.doesNotMatch(encoded, /RunInstances/);
  const back = codec.decode(encoded) as typeof detail;
  assert.deepEqual(back, detail);
  assert.equal(back.context.action, 'ec2:RunInstances');
  assert.deepEqual(
    back.context.conditions.items.map((i) => i.key),
    ['aws:requestedregion', 'aws:tagkeys'],
  );
  assert.deepEqual(back.context.conditions.items[1].values.items, [{ value: 'a' }, { value: 'b' }]);
  const flipped = encoded.slice(0, -2) + (encoded.at(-2) === 'A' ? 'B' : 'A') + encoded.at(-1);
  assert.equal(codec.decode(flipped), undefined);
  assert.equal(denialCodec(memory()).decode(encoded), undefined);
  assert.equal(codec.decode('short'), undefined);
});
