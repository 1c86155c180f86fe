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
  type Subscription,
} from '@aws-sdk/client-sns';
import { useClient, useSession } from '../lib/session.js';
import { Copy, Section, admin, fmtDate, useAction, useLoad } from '../lib/ui.js';
import { ActionError, ActionForm, DeleteButton, NameForm, SelectField, TextArea, TextField } from '../lib/form.js';
import { Details, PickList, ResourceTable, usePicked } from '../lib/table.js';

const PROTOCOLS = ['sqs', 'lambda', 'http', 'https', 'email', 'email-json', 'sms', 'application', 'firehose'];
const nameOf = (arn: string) => arn.split(':').pop() ?? arn;

/** `{"k": "v", "n": 1}` → SNS message attributes (strings and numbers); a malformed text throws with the reason. */
function attributesOf(text: string): Record<string, MessageAttributeValue> | undefined {
  if (!text.trim()) return undefined;
  const obj = JSON.parse(text) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(obj).map(([k, v]) => [
      k,
      typeof v === 'number' ? { DataType: 'Number', StringValue: String(v) } : { DataType: 'String', StringValue: String(v) },
    ]),
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
  const out = useLoad(
    () => admin<{ messages: OutboxRecord[] }>(`/_nimbus/sns/outbox?${new URLSearchParams({ topicArn: arn, account, region })}`),
    [arn],
  );
  const list = [...(out.data?.messages ?? [])].reverse();
  return (
    <div>
      <h3>
        Outbox <button onClick={out.reload}>Refresh</button>
      </h3>
      <p class="muted small">Deliveries to email, SMS, HTTP and mobile endpoints, recorded instead of sent.</p>
      <ResourceTable
        label="Outbox"
        wrap={false}
        load={out}
        empty="Nothing delivered to such endpoints yet."
        rows={list.slice(0, 50)}
        rowKey={(m) => m.id}
        columns={{
          Time: (m) => fmtDate(m.at),
          To: (m) => `${m.protocol}: ${m.endpoint}`,
          Type: (m) => m.type,
          Message: (m) => (
            <>
              {m.subject ? <strong>{m.subject}</strong> : null}
              <pre>{m.message}</pre>
            </>
          ),
        }}
      />
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
  const subscribe = async () => {
    await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: protocol, Endpoint: endpoint, ReturnSubscriptionArn: true }));
    setEndpoint('');
    subs.reload();
    setChanges((n) => n + 1);
  };
  const publish = async () => {
    // a publish that fails leaves no earlier message id on screen
    setPublished(undefined);
    let MessageAttributes;
    try {
      MessageAttributes = attributesOf(attributes);
    } catch (e) {
      throw Object.assign(new Error(`Message attributes must be a JSON object: ${(e as Error).message}`), { name: 'InvalidInput' });
    }
    const out = await sns.send(new PublishCommand({ TopicArn: arn, Message: message, Subject: subject || undefined, MessageAttributes }));
    setPublished(out.MessageId);
    setChanges((n) => n + 1);
  };
  const a = attrs.data?.Attributes ?? {};
  const confirmed = (s: Subscription) => s.SubscriptionArn?.startsWith('arn:');
  return (
    <Section
      title={`Topic ${nameOf(arn)}`}
      actions={
        <DeleteButton
          act={act}
          text="Delete topic"
          confirm={`Delete topic ${nameOf(arn)}?`}
          run={async () => (await sns.send(new DeleteTopicCommand({ TopicArn: arn })), onGone())}
        />
      }
    >
      <ActionError act={act} also={[attrs.error]} />
      <Details
        rows={[
          ['ARN', <Copy value={arn} label="topic ARN" />],
          ['Subscriptions', `${a.SubscriptionsConfirmed ?? '…'} confirmed, ${a.SubscriptionsPending ?? '…'} pending`],
        ]}
      />
      <h3>Subscriptions</h3>
      <ResourceTable
        label="Subscriptions"
        wrap={false}
        load={subs}
        empty="No subscriptions yet."
        rows={subs.data?.Subscriptions ?? []}
        rowKey={(s) => s.SubscriptionArn!}
        columns={{
          Protocol: (s) => s.Protocol,
          Endpoint: (s) => s.Endpoint,
          'Subscription ARN': (s) => (confirmed(s) ? <Copy value={s.SubscriptionArn!} label="subscription ARN" /> : s.SubscriptionArn),
          '': (s) =>
            confirmed(s) ? (
              <DeleteButton
                act={act}
                text="Unsubscribe"
                run={async () => (await sns.send(new UnsubscribeCommand({ SubscriptionArn: s.SubscriptionArn! })), subs.reload())}
              />
            ) : null,
        }}
      />
      <ActionForm label="Subscribe" submit="Subscribe" act={act} run={subscribe}>
        <SelectField label="Protocol" value={protocol} onValue={setProtocol}>
          {PROTOCOLS.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </SelectField>
        <TextField label="Endpoint (queue ARN, function ARN, URL, address)" aria="Endpoint" value={endpoint} onValue={setEndpoint} />
      </ActionForm>
      <h3>Publish</h3>
      <ActionForm label="Publish" submit="Publish" primary act={act} run={publish}>
        <TextField label="Subject" value={subject} onValue={setSubject} />
        <TextArea label="Message" rows={3} value={message} onValue={setMessage} />
        <TextArea
          label='Attributes (JSON, e.g. {"color": "red"})'
          aria="Message attributes"
          rows={2}
          value={attributes}
          onValue={setAttributes}
        />
      </ActionForm>
      {published ? <p role="status">Published message {published}</p> : null}
      <Outbox key={changes} arn={arn} />
    </Section>
  );
}

export default function SnsPage() {
  const sns = useClient(SNSClient);
  const list = useLoad(() => sns.send(new ListTopicsCommand({})), [sns]);
  const { selected, setSelected, gone } = usePicked(list.reload);
  const act = useAction();
  const create = async (name: string) => {
    const out = await sns.send(
      new CreateTopicCommand({ Name: name, Attributes: name.endsWith('.fifo') ? { FifoTopic: 'true' } : undefined }),
    );
    list.reload();
    setSelected(out.TopicArn);
  };
  return (
    <div>
      <h1>Amazon SNS</h1>
      <Section title="Topics" refresh={list.reload}>
        <NameForm label="Create topic" submit="Create topic" primary act={act} run={create} field="Topic name" />
        <ActionError act={act} />
        <PickList
          href="#/sns"
          load={list}
          loadingText="Listing topics"
          empty="No topics in this region yet."
          items={list.data?.Topics ?? []}
          id={(t) => t.TopicArn!}
          name={(t) => nameOf(t.TopicArn!)}
          selected={selected}
          onPick={setSelected}
        />
      </Section>
      {selected ? <Topic key={selected} sns={sns} arn={selected} onGone={gone} /> : null}
    </div>
  );
}
