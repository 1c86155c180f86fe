// Which events a trail receives: basic event selectors (management read/write, data resources)
// and advanced event selectors (field conditions), as CloudTrail applies them.
import type { EventSelector, AdvancedEventSelector } from '../../generated/cloudtrail.js';
import type { EventResource } from './classify.js';

export const DEFAULT_SELECTORS: EventSelector[] = [
  { ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] },
];

export interface Candidate {
  management: boolean;
  readOnly: boolean;
  source: string;
  name: string;
  resources: EventResource[];
}

/** the resource a data event is about, in the shape selectors name it */
function dataTarget(c: Candidate): { type: string; arn: string } | undefined {
  const obj = c.resources.find((r) => r.ResourceType === 'AWS::S3::Object');
  if (obj) return { type: 'AWS::S3::Object', arn: obj.ResourceName };
  const r = c.resources[0];
  return r && { type: r.ResourceType, arn: r.ResourceName };
}

function basic(sel: EventSelector, c: Candidate): boolean {
  const rw = sel.ReadWriteType ?? 'All';
  if ((rw === 'ReadOnly' && !c.readOnly) || (rw === 'WriteOnly' && c.readOnly)) return false;
  if (c.management) return sel.IncludeManagementEvents !== false && !(sel.ExcludeManagementEventSources ?? []).includes(c.source);
  const t = dataTarget(c);
  if (!t) return false;
  return (sel.DataResources ?? []).some(
    (d) =>
      d.Type === t.type && (d.Values ?? []).some((v) => v === 'arn:aws:s3' || v === 'arn:aws:s3:::' || t.arn.startsWith(v) || v === t.arn),
  );
}

function fieldValue(field: string, c: Candidate): string | undefined {
  switch (field) {
    case 'eventCategory':
      return c.management ? 'Management' : 'Data';
    case 'readOnly':
      return String(c.readOnly);
    case 'eventSource':
      return c.source;
    case 'eventName':
      return c.name;
    case 'resources.type':
      return dataTarget(c)?.type;
    case 'resources.ARN':
      return dataTarget(c)?.arn;
    default:
      return undefined;
  }
}

function advanced(sel: AdvancedEventSelector, c: Candidate): boolean {
  return sel.FieldSelectors.every((f) => {
    const v = fieldValue(f.Field, c);
    if (v === undefined) return false;
    if (f.Equals && !f.Equals.includes(v)) return false;
    if (f.StartsWith && !f.StartsWith.some((p) => v.startsWith(p))) return false;
    if (f.EndsWith && !f.EndsWith.some((p) => v.endsWith(p))) return false;
    if (f.NotEquals?.includes(v)) return false;
    if (f.NotStartsWith?.some((p) => v.startsWith(p))) return false;
    if (f.NotEndsWith?.some((p) => v.endsWith(p))) return false;
    return true;
  });
}

export function selects(
  basicSelectors: EventSelector[] | undefined,
  advancedSelectors: AdvancedEventSelector[] | undefined,
  c: Candidate,
): boolean {
  if (advancedSelectors?.length) return advancedSelectors.some((s) => advanced(s, c));
  return (basicSelectors ?? DEFAULT_SELECTORS).some((s) => basic(s, c));
}

/** whether any selector can pick data events at all (else data calls are skipped early) */
export function wantsData(basicSelectors: EventSelector[] | undefined, advancedSelectors: AdvancedEventSelector[] | undefined): boolean {
  if (advancedSelectors?.length)
    return advancedSelectors.some((s) => !s.FieldSelectors.some((f) => f.Field === 'eventCategory' && f.Equals?.includes('Management')));
  return (basicSelectors ?? []).some((s) => (s.DataResources ?? []).length > 0);
}
