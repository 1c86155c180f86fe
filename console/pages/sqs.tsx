// SQS: queues (create, delete, purge, attributes), send a message, poll, delete what was received.
import { useState } from 'preact/hooks';
import {
  SQSClient,
  ListQueuesCommand,
  CreateQueueCommand,
  DeleteQueueCommand,
  PurgeQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  ReceiveMessageCommand,
  DeleteMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { useClient } from '../lib/session.js';
import { Redrive } from '../parts/sqs-redrive.js';
import { Copy, Empty, ErrorBox, Field, Form, Loading, Section, useAction, useLoad } from '../lib/ui.js';

const nameOf = (url: string) => url.split('/').pop() ?? url;

function Queue({ sqs, url, onGone }: { sqs: SQSClient; url: string; onGone: () => void }) {
  const attrs = useLoad(() => sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] })), [sqs, url]);
  const fifo = url.endsWith('.fifo');
  const [body, setBody] = useState('');
  const [group, setGroup] = useState('group-1');
  const [delay, setDelay] = useState('0');
  const [sent, setSent] = useState<string>();
  const [messages, setMessages] = useState<Message[]>();
  const act = useAction();
  const send = () =>
    act.run(async () => {
      const out = await sqs.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: body,
          DelaySeconds: fifo ? undefined : Number(delay) || undefined,
          MessageGroupId: fifo ? group : undefined,
          MessageDeduplicationId: fifo ? crypto.randomUUID() : undefined,
        }),
      );
      setSent(out.MessageId);
      setBody('');
      attrs.reload();
    });
  const poll = () =>
    act.run(async () => {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] }));
      setMessages(out.Messages ?? []);
      attrs.reload();
    });
  const remove = (m: Message) =>
    act.run(async () => {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
      setMessages((ms) => ms?.filter((x) => x !== m));
      attrs.reload();
    });
  const purge = () => {
    if (!confirm(`Purge every message of ${nameOf(url)}?`)) return;
    void act.run(async () => {
      await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
      setMessages([]);
      attrs.reload();
    });
  };
  const del = () => {
    if (!confirm(`Delete queue ${nameOf(url)}?`)) return;
    void act.run(async () => {
      await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
      onGone();
    });
  };
  const a = attrs.data?.Attributes ?? {};
  return (
    <Section
      title={`Queue ${nameOf(url)}`}
      actions={
        <>
          <button onClick={attrs.reload}>Refresh</button>
          <button class="danger" onClick={purge}>
            Purge
          </button>
          <button class="danger" onClick={del}>
            Delete queue
          </button>
        </>
      }
    >
      <ErrorBox error={act.error ?? attrs.error} onDismiss={act.error ? act.clear : undefined} />
      {a.QueueArn ? (
        <dl class="split">
          <dt>ARN</dt>
          <dd>
            <Copy value={a.QueueArn} label="queue ARN" />
          </dd>
          <dt>URL</dt>
          <dd>
            <Copy value={url} label="queue URL" />
          </dd>
          <dt>Messages</dt>
          <dd data-testid="counts">
            {a.ApproximateNumberOfMessages} available, {a.ApproximateNumberOfMessagesNotVisible} in flight, {a.ApproximateNumberOfMessagesDelayed} delayed
          </dd>
          <dt>Visibility timeout</dt>
          <dd>{a.VisibilityTimeout} s</dd>
          {a.RedrivePolicy ? (
            <>
              <dt>Dead-letter queue</dt>
              <dd>
                <code>{a.RedrivePolicy}</code>
              </dd>
            </>
          ) : null}
        </dl>
      ) : attrs.loading ? (
        <Loading />
      ) : null}
      {a.QueueArn ? <Redrive key={a.RedrivePolicy ?? ''} sqs={sqs} url={url} arn={a.QueueArn} redrivePolicy={a.RedrivePolicy} onChange={attrs.reload} /> : null}
      <h3>Send a message</h3>
      <Form onSubmit={send} label="Send a message">
        <Field label="Message body">
          <textarea rows={3} value={body} onInput={(e) => setBody((e.target as HTMLTextAreaElement).value)} aria-label="Message body" />
        </Field>
        {fifo ? (
          <Field label="Message group id">
            <input value={group} onInput={(e) => setGroup((e.target as HTMLInputElement).value)} />
          </Field>
        ) : (
          <Field label="Delay (seconds)">
            <input type="number" value={delay} onInput={(e) => setDelay((e.target as HTMLInputElement).value)} />
          </Field>
        )}
        <button class="primary" type="submit" disabled={act.busy}>
          Send message
        </button>
      </Form>
      {sent ? <p role="status">Sent message {sent}</p> : null}
      <h3>Receive</h3>
      <button onClick={poll} disabled={act.busy}>
        Poll for messages
      </button>
      {messages === undefined ? null : messages.length === 0 ? (
        <Empty>No messages available right now.</Empty>
      ) : (
        <table aria-label="Received messages">
          <thead>
            <tr>
              <th>Message id</th>
              <th>Body</th>
              <th>Receive count</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {messages.map((m) => (
              <tr key={m.ReceiptHandle} data-message={m.MessageId}>
                <td>
                  <code class="small">{m.MessageId}</code>
                </td>
                <td>
                  <pre>{m.Body}</pre>
                </td>
                <td>{m.Attributes?.ApproximateReceiveCount}</td>
                <td>
                  <button class="danger" onClick={() => remove(m)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

export default function SqsPage() {
  const sqs = useClient(SQSClient, { useQueueUrlAsEndpoint: false });
  const list = useLoad(() => sqs.send(new ListQueuesCommand({ MaxResults: 1000 })), [sqs]);
  const [selected, setSelected] = useState<string>();
  const [name, setName] = useState('');
  const act = useAction();
  const create = () =>
    act.run(async () => {
      const out = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: name.endsWith('.fifo') ? { FifoQueue: 'true' } : undefined }));
      setName('');
      list.reload();
      setSelected(out.QueueUrl);
    });
  const urls = list.data?.QueueUrls ?? [];
  return (
    <div>
      <h1>Amazon SQS</h1>
      <Section title="Queues" actions={<button onClick={list.reload}>Refresh</button>}>
        <Form onSubmit={create} label="Create queue">
          <Field label="Queue name (end in .fifo for FIFO)">
            <input value={name} required onInput={(e) => setName((e.target as HTMLInputElement).value)} aria-label="Queue name" />
          </Field>
          <button class="primary" type="submit" disabled={act.busy}>
            Create queue
          </button>
        </Form>
        <ErrorBox error={act.error ?? list.error} onDismiss={act.error ? act.clear : undefined} />
        {list.loading && !list.data ? (
          <Loading what="Listing queues" />
        ) : urls.length === 0 ? (
          <Empty>No queues in this region yet.</Empty>
        ) : (
          <ul>
            {urls.map((u) => (
              <li key={u}>
                <a
                  href="#/sqs"
                  aria-current={u === selected ? 'true' : undefined}
                  onClick={(e) => {
                    e.preventDefault();
                    setSelected(u);
                  }}
                >
                  {nameOf(u)}
                </a>
              </li>
            ))}
          </ul>
        )}
      </Section>
      {selected ? (
        <Queue
          key={selected}
          sqs={sqs}
          url={selected}
          onGone={() => {
            setSelected(undefined);
            list.reload();
          }}
        />
      ) : null}
    </div>
  );
}
