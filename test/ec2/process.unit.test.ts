// Process mode's pure parts: what user data runs and how, and each instance's loopback address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { bootPlan } from '../../src/services/ec2/process/userdata.js';
import { listenersIn, loopbackFor } from '../../src/services/ec2/process/address.js';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

test('user data: #! scripts run by their interpreter, plain text by /bin/sh, gzip decompressed', () => {
  const script = bootPlan(b64('#!/usr/bin/env python3\nprint(1)\n'));
  assert.equal(script.kind, 'script');
  assert.equal(script.kind === 'script' && script.interpreter, '/usr/bin/env python3');
  assert.equal(bootPlan(b64('echo hello\n')).kind, 'shell');
  const zipped = bootPlan(gzipSync('#!/bin/bash\necho hi\n').toString('base64'));
  assert.equal(zipped.kind === 'script' && zipped.body.toString(), '#!/bin/bash\necho hi\n');
  assert.equal(bootPlan(undefined).kind, 'none');
  assert.equal(bootPlan(b64('  \n')).kind, 'none');
});

test('user data: cloud-init formats and Windows blocks are refused with a reason', () => {
  for (const text of [
    '#cloud-config\npackages: [nginx]\n',
    'Content-Type: multipart/mixed; boundary="x"\n',
    'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="x"\n',
    '<powershell>\nWrite-Host hi\n</powershell>',
    '#include\nhttp://x\n',
  ]) {
    const plan = bootPlan(b64(text));
    assert.equal(plan.kind, 'refused', text);
    assert.match(plan.kind === 'refused' ? plan.reason : '', /cloud-init|Windows/);
  }
  assert.equal(bootPlan(b64('#!\n')).kind, 'refused');
});

test('loopback address: from the private IP, another when taken, 127.0.0.1 off Linux', () => {
  assert.equal(loopbackFor('172.31.5.10', new Set(), 'linux'), '127.31.5.10');
  assert.equal(loopbackFor('10.0.1.20', new Set(['127.0.1.20']), 'linux'), '127.254.0.1');
  assert.equal(loopbackFor('10.0.1.20', new Set(['127.0.1.20', '127.254.0.1']), 'linux'), '127.254.0.2');
  assert.equal(loopbackFor('10.0.0.1', new Set(), 'linux'), '127.254.0.1');
  assert.equal(loopbackFor('172.31.5.10', new Set(), 'darwin'), '127.0.0.1');
});

test('loopback addresses in use: the listening sockets of /proc/net/tcp', () => {
  const text = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1158 1
   1: 0A051F7F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 72339 1
   2: 0100007F:EBCC 04001F7F:1F90 06 00000000:00000000 03:00000382 00000000     0        0 0 3
`;
  assert.deepEqual([...listenersIn(text)], ['127.31.5.10']);
});
