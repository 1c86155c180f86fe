// SNS: topics (create, delete), subscriptions (subscribe, unsubscribe), publish with attributes.
import { useState } from 'preact/hooks';
import {
  SNSClient,
  ListTopicsCommand,
  CreateTopicCommand,
  DeleteTopicCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  SubscribeCommand,
  UnsubscribeCommand,
  PublishCommand,
  type MessageAttributeValue,
} from '@aws-sdk/client-sns';
import { useClient, useSession } from '../lib/session.js';
import { Copy, Empty, ErrorBox, Field, Form, Loading, Section, admin, fmtDate, useAction, useLoad } from '../lib/ui.js';

const PROTOCOLS = ['sqs', 'lambda', 'http', 'https', 'email', 'email-json', 'sms', 'application', 'firehose'];
const nameOf = (arn: string) => arn.split(':').pop() ?? arn;

/** `{"k": "v", "n": 1}` → SNS message attributes (strings and numbers); a malformed text throws with the reason. */
function attributesOf(text: string): Record<string, MessageAttributeValue> | undefined {
  if (!text.trim()) return undefined;
  const obj = JSON.parse(text) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(obj).map(([k, v]) => [k, typeof v === 'number' ? { DataType: 'Number', StringValue: String(v) } : { DataType: 'String', StringValue: String(v) }]),
  );
}

interface OutboxRecord {
  id: string;
  at: string;
  protocol: string;
  endpoint: string;
  type: string;
  messageId: string;
  subject?: string;
  message: string;
}

/** What Nimbus delivered to endpoints it does not run (email, SMS, HTTP, mobile): GET /_nimbus/sns/outbox. */
function Outbox({ arn }: { arn: string }) {
  const { account, region } = useSession();
  const out = useLoad(() => admin<{ messages: OutboxRecord[] }>(`/_nimbus/sns/outbox?${new URLSearchParams({ topicArn: arn, account, region })}`), [arn]);
  const list = [...(out.data?.messages ?? [])].reverse();
  return (
    <div>
      <h3>
        Outbox <button onClick={out.reload}>Refresh</button>
      </h3>
      <p class="muted small">Deliveries to email, SMS, HTTP and mobile endpoints, recorded instead of sent.</p>
      <ErrorBox error={out.error} />
      {list.length === 0 ? (
        <Empty>Nothing delivered to such endpoints yet.</Empty>
      ) : (
        <table aria-label="Outbox">
          <thead>
            <tr>
              <th>Time</th>
              <th>To</th>
              <th>Type</th>
              <th>Message</th>
            </tr>
          </thead>
          <tbody>
            {list.slice(0, 50).map((m) => (
              <tr key={m.id}>
                <td>{fmtDate(m.at)}</td>
                <td>
                  {m.protocol}: {m.endpoint}
                </td>
                <td>{m.type}</td>
                <td>
                  {m.subject ? <strong>{m.subject}</strong> : null}
                  <pre>{m.message}</pre>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function Topic({ sns, arn, onGone }: { sns: SNSClient; arn: string; onGone: () => void }) {
  const attrs = useLoad(() => sns.send(new GetTopicAttributesCommand({ TopicArn: arn })), [sns, arn]);
  const subs = useLoad(() => sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn })), [sns, arn]);
  const [protocol, setProtocol] = useState('sqs');
  const [endpoint, setEndpoint] = useState('');
  const [message, setMessage] = useState('');
  const [subject, setSubject] = useState('');
  const [attributes, setAttributes] = useState('');
  const [published, setPublished] = useState<string>();
  const [changes, setChanges] = useState(0);
  const act = useAction();
  const subscribe = () =>
    act.run(async () => {
      await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: protocol, Endpoint: endpoint, ReturnSubscriptionArn: true }));
      setEndpoint('');
      subs.reload();
      setChanges((n) => n + 1);
    });
  const publish = () =>
    act.run(async () => {
      let MessageAttributes;
      try {
        MessageAttributes = attributesOf(attributes);
      } catch (e) {
        throw Object.assign(new Error(`Message attributes must be a JSON object: ${(e as Error).message}`), { name: 'InvalidInput' });
      }
      const out = await sns.send(new PublishCommand({ TopicArn: arn, Message: message, Subject: subject || undefined, MessageAttributes }));
      setPublished(out.MessageId);
      setChanges((n) => n + 1);
    });
  const del = () => {
    if (!confirm(`Delete topic ${nameOf(arn)}?`)) return;
    void act.run(async () => {
      await sns.send(new DeleteTopicCommand({ TopicArn: arn }));
      onGone();
    });
  };
  const a = attrs.data?.Attributes ?? {};
  const list = subs.data?.Subscriptions ?? [];
  return (
    <Section
      title={`Topic ${nameOf(arn)}`}
      actions={
        <button class="danger" onClick={del}>
          Delete topic
        </button>
      }
    >
      <ErrorBox error={act.error ?? attrs.error ?? subs.error} onDismiss={act.error ? act.clear : undefined} />
      <dl class="split">
        <dt>ARN</dt>
        <dd>
          <Copy value={arn} label="topic ARN" />
        </dd>
        <dt>Subscriptions</dt>
        <dd>
          {a.SubscriptionsConfirmed ?? '…'} confirmed, {a.SubscriptionsPending ?? '…'} pending
        </dd>
      </dl>
      <h3>Subscriptions</h3>
      {subs.loading && !subs.data ? (
        <Loading />
      ) : list.length === 0 ? (
        <Empty>No subscriptions yet.</Empty>
      ) : (
        <table aria-label="Subscriptions">
          <thead>
            <tr>
              <th>Protocol</th>
              <th>Endpoint</th>
              <th>Subscription ARN</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((s) => (
              <tr key={s.SubscriptionArn}>
                <td>{s.Protocol}</td>
                <td>{s.Endpoint}</td>
                <td>{s.SubscriptionArn?.startsWith('arn:') ? <Copy value={s.SubscriptionArn} label="subscription ARN" /> : s.SubscriptionArn}</td>
                <td>
                  {s.SubscriptionArn?.startsWith('arn:') ? (
                    <button class="danger" onClick={() => act.run(async () => (await sns.send(new UnsubscribeCommand({ SubscriptionArn: s.SubscriptionArn! })), subs.reload()))}>
                      Unsubscribe
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Form onSubmit={subscribe} label="Subscribe">
        <Field label="Protocol">
          <select value={protocol} onChange={(e) => setProtocol((e.target as HTMLSelectElement).value)}>
            {PROTOCOLS.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </Field>
        <Field label="Endpoint (queue ARN, function ARN, URL, address)">
          <input value={endpoint} onInput={(e) => setEndpoint((e.target as HTMLInputElement).value)} aria-label="Endpoint" />
        </Field>
        <button type="submit" disabled={act.busy}>
          Subscribe
        </button>
      </Form>
      <h3>Publish</h3>
      <Form onSubmit={publish} label="Publish">
        <Field label="Subject">
          <input value={subject} onInput={(e) => setSubject((e.target as HTMLInputElement).value)} />
        </Field>
        <Field label="Message">
          <textarea rows={3} value={message} onInput={(e) => setMessage((e.target as HTMLTextAreaElement).value)} aria-label="Message" />
        </Field>
        <Field label='Attributes (JSON, e.g. {"color": "red"})'>
          <textarea rows={2} value={attributes} onInput={(e) => setAttributes((e.target as HTMLTextAreaElement).value)} aria-label="Message attributes" />
        </Field>
        <button class="primary" type="submit" disabled={act.busy}>
          Publish
        </button>
      </Form>
      {published ? <p role="status">Published message {published}</p> : null}
      <Outbox key={changes} arn={arn} />
    </Section>
  );
}

export default function SnsPage() {
  const sns = useClient(SNSClient);
  const list = useLoad(() => sns.send(new ListTopicsCommand({})), [sns]);
  const [selected, setSelected] = useState<string>();
  const [name, setName] = useState('');
  const act = useAction();
  const create = () =>
    act.run(async () => {
      const out = await sns.send(new CreateTopicCommand({ Name: name, Attributes: name.endsWith('.fifo') ? { FifoTopic: 'true' } : undefined }));
      setName('');
      list.reload();
      setSelected(out.TopicArn);
    });
  const topics = list.data?.Topics ?? [];
  return (
    <div>
      <h1>Amazon SNS</h1>
      <Section title="Topics" actions={<button onClick={list.reload}>Refresh</button>}>
        <Form onSubmit={create} label="Create topic">
          <Field label="Topic name">
            <input value={name} required onInput={(e) => setName((e.target as HTMLInputElement).value)} aria-label="Topic name" />
          </Field>
          <button class="primary" type="submit" disabled={act.busy}>
            Create topic
          </button>
        </Form>
        <ErrorBox error={act.error ?? list.error} onDismiss={act.error ? act.clear : undefined} />
        {list.loading && !list.data ? (
          <Loading what="Listing topics" />
        ) : topics.length === 0 ? (
          <Empty>No topics in this region yet.</Empty>
        ) : (
          <ul>
            {topics.map((t) => (
              <li key={t.TopicArn}>
                <a href="#/sns" onClick={(e) => (e.preventDefault(), setSelected(t.TopicArn))} aria-current={t.TopicArn === selected ? 'true' : undefined}>
                  {nameOf(t.TopicArn!)}
                </a>
              </li>
            ))}
          </ul>
        )}
      </Section>
      {selected ? (
        <Topic
          key={selected}
          sns={sns}
          arn={selected}
          onGone={() => {
            setSelected(undefined);
            list.reload();
          }}
        />
      ) : null}
    </div>
  );
}
