// Checks S3 makes on bucket configurations before storing them (versioning, lifecycle rules,
// Object Lock default retention), with S3's error codes and messages.
import { randomUUID } from 'node:crypto';
import type { LifecycleRule, ObjectLockConfiguration, VersioningConfiguration } from '../../generated/s3.js';
import { ServiceError } from '../errors.js';
import { invalidArgument, malformedXml } from './errors.js';

/** Enabled or Suspended; a configuration without Status is S3's own error, not MalformedXML. */
export function versioningStatus(config: VersioningConfiguration | undefined): 'Enabled' | 'Suspended' {
  const status = config?.Status;
  if (status === undefined)
    throw new ServiceError('IllegalVersioningConfigurationException', 'The Versioning element must be specified', 400);
  if (status !== 'Enabled' && status !== 'Suspended') throw malformedXml();
  return status;
}

/** Rules as S3 keeps them: each with an ID (S3 makes one up when none is given), IDs unique, dates at midnight UTC. */
export function checkLifecycleRules(rules: LifecycleRule[]): LifecycleRule[] {
  const seen = new Set<string>();
  return rules.map((r) => {
    if (r.Status !== 'Enabled' && r.Status !== 'Disabled') throw malformedXml();
    if (r.ID !== undefined && r.ID.length > 255) throw invalidArgument('ID length should not exceed allowed limit of 255', 'ID', r.ID);
    const ID = r.ID || Buffer.from(randomUUID()).toString('base64');
    if (seen.has(ID)) throw invalidArgument('Rule ID must be unique. Found same ID for more than one rule', 'ID', ID);
    seen.add(ID);
    const dates = [r.Expiration?.Date, ...(r.Transitions ?? []).map((t) => t.Date)];
    for (const d of dates) {
      if (d === undefined) continue;
      const t = new Date(d);
      if (Number.isNaN(t.getTime()) || t.getTime() % 86_400_000 !== 0)
        throw invalidArgument("'Date' must be at midnight GMT", 'Date', t.toISOString());
    }
    return { ...r, ID };
  });
}

/** Object Lock default retention: a mode S3 knows and exactly one positive period (Days or Years). */
export function checkLockConfiguration(config: ObjectLockConfiguration | undefined): void {
  if (config?.ObjectLockEnabled !== 'Enabled') throw malformedXml();
  const r = config.Rule?.DefaultRetention;
  if (!r) return;
  if (r.Mode !== 'GOVERNANCE' && r.Mode !== 'COMPLIANCE') throw malformedXml();
  if ((r.Days === undefined) === (r.Years === undefined)) throw malformedXml();
  for (const [name, v] of [
    ['Days', r.Days],
    ['Years', r.Years],
  ] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v <= 0))
      throw invalidArgument('Default retention period must be a positive integer value', name, String(v));
  }
}
