// What an instance in process mode runs at boot: its user data, decoded (base64, then gunzipped
// when compressed, as cloud-init accepts it). A `#!` script runs by its interpreter, other text by
// /bin/sh; the formats only cloud-init understands (`#cloud-config`, MIME multi-part, includes,
// boothooks) and Windows' `<powershell>`/`<script>` blocks are refused with a note on the console.
import { gunzipSync } from 'node:zlib';

export type BootPlan =
  | { kind: 'none' }
  | { kind: 'script'; body: Buffer; interpreter: string }
  | { kind: 'shell'; body: Buffer }
  | { kind: 'refused'; reason: string };

const CLOUD_INIT_ONLY: Array<[RegExp, string]> = [
  [/^#cloud-config/, '#cloud-config'],
  [/^#cloud-boothook/, '#cloud-boothook'],
  [/^#include/, '#include'],
  [/^#part-handler/, '#part-handler'],
  [/^#upstart-job/, '#upstart-job'],
  [/^content-type:\s*multipart\//i, 'MIME multi-part'],
  [/^(?:mime-version:[^\n]*\n)+content-type:\s*multipart\//i, 'MIME multi-part'],
  [/^<(?:powershell|script|persist)>/i, 'Windows (<powershell>/<script>)'],
];

export function bootPlan(userData: string | undefined): BootPlan {
  if (!userData) return { kind: 'none' };
  let body = Buffer.from(userData, 'base64');
  if (body[0] === 0x1f && body[1] === 0x8b) {
    try {
      body = gunzipSync(body);
    } catch {
      return { kind: 'refused', reason: 'the user data looks gzip-compressed but does not decompress' };
    }
  }
  const text = body
    .subarray(0, 256)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .replace(/\r\n/g, '\n');
  if (!text.trim()) return { kind: 'none' };
  for (const [re, name] of CLOUD_INIT_ONLY) {
    if (re.test(text))
      return {
        kind: 'refused',
        reason: `${name} user data needs cloud-init, which Nimbus does not run; give a shell script (#!/bin/bash) instead`,
      };
  }
  if (text.startsWith('#!')) {
    const interpreter = text.slice(2).split('\n', 1)[0].trim();
    if (!interpreter) return { kind: 'refused', reason: 'the #! line names no interpreter' };
    return { kind: 'script', body, interpreter };
  }
  return { kind: 'shell', body };
}
