// Parameter Store's pure rules: names, selectors, tiers, patterns, data types, labels, paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkName,
  parseSelector,
  candidates,
  chooseTier,
  checkPattern,
  checkDataType,
  invalidLabel,
} from '../../src/services/ssm/validate.js';
import { underPath } from '../../src/services/ssm/query.js';

const code = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return (e as { code: string }).code;
  }
};

test('names: characters, reserved prefixes, fully qualified paths, 15 levels', () => {
  assert.equal(
    code(() => checkName('/a/b-c_d.e')),
    'ok',
  );
  assert.equal(
    code(() => checkName('plain')),
    'ok',
  );
  assert.equal(
    code(() => checkName('SSMthing')),
    'ValidationException',
  );
  assert.equal(
    code(() => checkName('/ssm/x')),
    'ValidationException',
  );
  assert.equal(
    code(() => checkName('/aws/x')),
    'AccessDeniedException',
  );
  assert.equal(
    code(() => checkName('a/b')),
    'ValidationException',
  );
  assert.equal(
    code(() => checkName('/a//b')),
    'ValidationException',
  );
  assert.equal(
    code(() => checkName('/a b')),
    'ValidationException',
  );
  assert.equal(
    code(() => checkName('/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15')),
    'ok',
  );
  assert.equal(
    code(() => checkName('/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16')),
    'HierarchyLevelLimitExceededException',
  );
});

test('selectors: versions, labels, ARNs', () => {
  assert.deepEqual(parseSelector('/a/b:3'), { name: '/a/b', version: 3, text: ':3' });
  assert.deepEqual(parseSelector('/a/b:prod'), { name: '/a/b', label: 'prod', text: ':prod' });
  assert.deepEqual(parseSelector('arn:aws:ssm:us-east-1:000000000000:parameter/a/b'), { name: '/a/b' });
  assert.deepEqual(candidates('/x'), ['x', '/x']);
  assert.deepEqual(candidates('/x/y'), ['/x/y']);
});

test('tiers: Standard up to 4096 characters, Advanced up to 8192, Intelligent-Tiering picks, no downgrade', () => {
  assert.equal(chooseTier(undefined, undefined, 'x'.repeat(4096), false), 'Standard');
  assert.equal(
    code(() => chooseTier(undefined, undefined, 'x'.repeat(4097), false)),
    'ValidationException',
  );
  assert.equal(chooseTier('Advanced', undefined, 'x'.repeat(8192), false), 'Advanced');
  assert.equal(
    code(() => chooseTier('Advanced', undefined, 'x'.repeat(8193), false)),
    'ValidationException',
  );
  assert.equal(chooseTier('Intelligent-Tiering', undefined, 'small', false), 'Standard');
  assert.equal(chooseTier('Intelligent-Tiering', undefined, 'x'.repeat(5000), false), 'Advanced');
  assert.equal(chooseTier(undefined, 'Advanced', 'small', false), 'Advanced');
  assert.equal(
    code(() => chooseTier('Standard', 'Advanced', 'small', false)),
    'ValidationException',
  );
});

test('patterns, data types, labels, paths', () => {
  assert.equal(
    code(() => checkPattern('123', '\\d+')),
    'ok',
  );
  assert.equal(
    code(() => checkPattern('12a', '\\d+')),
    'ParameterPatternMismatchException',
  );
  assert.equal(
    code(() => checkDataType('aws:ec2:image', 'String', 'ami-0123456789abcdef0')),
    'ok',
  );
  assert.equal(
    code(() => checkDataType('aws:ec2:image', 'String', 'ami-xyz')),
    'ValidationException',
  );
  assert.equal(
    code(() => checkDataType('aws:ec2:image', 'SecureString', 'ami-0123456789abcdef0')),
    'ValidationException',
  );
  assert.deepEqual(['prod', 'aws1', 'SSM', '9x', 'a b', 'v1.2-x_y'].map(invalidLabel), [false, true, true, true, true, false]);
  assert.equal(underPath('/a/b', '/a', false), true);
  assert.equal(underPath('/a/b/c', '/a', false), false);
  assert.equal(underPath('/a/b/c', '/a/', true), true);
  assert.equal(underPath('/ab', '/a', true), false);
});
