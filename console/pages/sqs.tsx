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
import { Copy, Section, useAction, useLoad } from '../lib/ui.js';
import { ActionError, ActionForm, DeleteButton, NameForm, TextArea, TextField } from '../lib/form.js';
import { Details, PickList, ResourceTable, usePicked } from '../lib/table.js';

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
  const send = async () => {
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
  };
  const poll = () =>
    act.run(async () => {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      setMessages(out.Messages ?? []);
      attrs.reload();
    });
  const remove = async (m: Message) => {
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
    setMessages((ms) => ms?.filter((x) => x !== m));
    attrs.reload();
  };
  const purge = async () => {
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    setMessages([]);
    attrs.reload();
  };
  const a = attrs.data?.Attributes ?? {};
  return (
    <Section
      title={`Queue ${nameOf(url)}`}
      refresh={attrs.reload}
      actions={
        <>
          <DeleteButton act={act} text="Purge" confirm={`Purge every message of ${nameOf(url)}?`} run={purge} />
          <DeleteButton
            act={act}
            text="Delete queue"
            confirm={`Delete queue ${nameOf(url)}?`}
            run={async () => (await sqs.send(new DeleteQueueCommand({ QueueUrl: url })), onGone())}
          />
        </>
      }
    >
      <ActionError act={act} also={[attrs.error]} />
      <Details
        loading={attrs.loading}
        rows={
          a.QueueArn
            ? [
                ['ARN', <Copy value={a.QueueArn} label="queue ARN" />],
                ['URL', <Copy value={url} label="queue URL" />],
                [
                  'Messages',
                  <span data-testid="counts">
                    {a.ApproximateNumberOfMessages} available, {a.ApproximateNumberOfMessagesNotVisible} in flight,{' '}
                    {a.ApproximateNumberOfMessagesDelayed} delayed
                  </span>,
                ],
                ['Visibility timeout', `${a.VisibilityTimeout} s`],
                ['Dead-letter queue', a.RedrivePolicy ? <code>{a.RedrivePolicy}</code> : null],
              ]
            : undefined
        }
      />
      {a.QueueArn ? (
        <Redrive key={a.RedrivePolicy ?? ''} sqs={sqs} url={url} arn={a.QueueArn} redrivePolicy={a.RedrivePolicy} onChange={attrs.reload} />
      ) : null}
      <h3>Send a message</h3>
      <ActionForm label="Send a message" submit="Send message" primary act={act} run={send}>
        <TextArea label="Message body" rows={3} value={body} onValue={setBody} />
        {fifo ? (
          <TextField label="Message group id" value={group} onValue={setGroup} />
        ) : (
          <TextField label="Delay (seconds)" type="number" value={delay} onValue={setDelay} />
        )}
      </ActionForm>
      {sent ? <p role="status">Sent message {sent}</p> : null}
      <h3>Receive</h3>
      <button onClick={poll} disabled={act.busy}>
        Poll for messages
      </button>
      {messages === undefined ? null : (
        <ResourceTable
          label="Received messages"
          wrap={false}
          empty="No messages available right now."
          rows={messages}
          rowKey={(m) => m.ReceiptHandle!}
          rowProps={(m) => ({ 'data-message': m.MessageId })}
          columns={{
            'Message id': (m) => <code class="small">{m.MessageId}</code>,
            Body: (m) => <pre>{m.Body}</pre>,
            'Receive count': (m) => m.Attributes?.ApproximateReceiveCount,
            '': (m) => <DeleteButton act={act} run={() => remove(m)} />,
          }}
        />
      )}
    </Section>
  );
}

export default function SqsPage() {
  const sqs = useClient(SQSClient, { useQueueUrlAsEndpoint: false });
  const list = useLoad(() => sqs.send(new ListQueuesCommand({ MaxResults: 1000 })), [sqs]);
  const { selected, setSelected, gone } = usePicked(list.reload);
  const act = useAction();
  const create = async (name: string) => {
    const out = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: name.endsWith('.fifo') ? { FifoQueue: 'true' } : undefined }),
    );
    list.reload();
    setSelected(out.QueueUrl);
  };
  return (
    <div>
      <h1>Amazon SQS</h1>
      <Section title="Queues" refresh={list.reload}>
        <NameForm
          label="Create queue"
          submit="Create queue"
          primary
          act={act}
          run={create}
          field="Queue name (end in .fifo for FIFO)"
          aria="Queue name"
        />
        <ActionError act={act} />
        <PickList
          href="#/sqs"
          load={list}
          loadingText="Listing queues"
          empty="No queues in this region yet."
          items={list.data?.QueueUrls ?? []}
          id={(u) => u}
          name={nameOf}
          selected={selected}
          onPick={setSelected}
        />
      </Section>
      {selected ? <Queue key={selected} sqs={sqs} url={selected} onGone={gone} /> : null}
    </div>
  );
}
