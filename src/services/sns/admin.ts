// Nimbus's own SNS routes: the outbox of recorded deliveries (GET and DELETE /_nimbus/sns/outbox,
// filtered by query), the HTTP deliveries under way or waiting to retry, and the certificate notifications are signed with.
import type { OutboxRecord } from './delivery.js';
import { CERT_PATH } from './delivery.js';
import type { SnsState } from './store.js';

export function adminRoutes(s: SnsState): void {
  const { rt, delivery } = s;
  const outboxFilter = (q: URLSearchParams) => (r: OutboxRecord) =>
    ['protocol', 'endpoint', 'topicArn', 'subscriptionArn', 'account', 'region', 'type'].every(
      (k) => !q.has(k) || q.get(k) === r[k as keyof OutboxRecord],
    );
  rt.admin.route('GET /_nimbus/sns/outbox', ({ query }) => ({
    body: { messages: [...delivery.outbox.scan()].map(([, r]) => r).filter(outboxFilter(query)) },
  }));
  rt.admin.route('DELETE /_nimbus/sns/outbox', ({ query }) => {
    const keep = outboxFilter(query);
    // collect first: the store cannot be written while a scan is open
    for (const [k, r] of [...delivery.outbox.scan()]) if (keep(r)) delivery.outbox.delete(k);
    return {};
  });
  rt.admin.route('GET /_nimbus/sns/http-deliveries', () => ({ body: { deliveries: delivery.httpDeliveries() } }));
  rt.admin.route(`GET ${CERT_PATH}`, () => ({ body: delivery.publicKey(), contentType: 'application/x-pem-file' }));
}
