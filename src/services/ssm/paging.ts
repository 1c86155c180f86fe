// NextToken paging over a list sorted by a key: the token carries the key of the last item answered,
// so items added or deleted between calls neither repeat nor skip others.
import { invalidNextToken } from './errors.js';

export function pageOf<T>(sorted: T[], max: number, token: string | undefined, keyOf: (t: T) => string): { items: T[]; next?: string } {
  let after: string | undefined;
  if (token !== undefined) {
    after = Buffer.from(token, 'base64url').toString('utf8');
    if (!after.startsWith('k:')) throw invalidNextToken();
    after = after.slice(2);
  }
  const rest = after === undefined ? sorted : sorted.filter((t) => keyOf(t) > after!);
  const items = rest.slice(0, max);
  const next = rest.length > max ? Buffer.from(`k:${keyOf(items[items.length - 1])}`).toString('base64url') : undefined;
  return { items, next };
}
