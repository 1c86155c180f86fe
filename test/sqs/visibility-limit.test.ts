// SQS: a message's visibility timeout can be extended to at most 12 hours past the receive that
// returned its receipt handle (ChangeMessageVisibility and its batch), on the virtual clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SQSClient,
  CreateQueueCommand,
  SendMessageCommand,
  ReceiveMessageCommand,
  ChangeMessageVisibilityCommand,
  ChangeMessageVisibilityBatchCommand,
} from '@aws-sdk/client-sqs';
import { serverForFile, clientConfig, rejects } from '../helpers.js';

let sqs: SQSClient;
const nimbus = serverForFile(async () => {
  sqs = new SQSClient(clientConfig(nimbus.url));
});

const advance = (by: string) => fetch(`${nimbus.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: by }) });
const beyond = (v: number) =>
  `Value ${v} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds].`;

test('ChangeMessageVisibility: up to 12 hours after the receive, never beyond, however often extended', async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'vis-limit' }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'long job' }));
  const [m] = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 43_200 }))).Messages!;
  const change = (VisibilityTimeout: number) =>
    sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout }));
  await change(43_200);
  await advance('1h');
  await change(39_600); // exactly 12 hours after the receive
  await rejects(change(39_601), 'InvalidParameterValue', 400, (e) => assert.equal(e.message, beyond(39_601)));
  const batch = await sqs.send(
    new ChangeMessageVisibilityBatchCommand({
      QueueUrl,
      Entries: [
        { Id: 'ok', ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 60 },
        { Id: 'far', ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 40_000 },
      ],
    }),
  );
  assert.deepEqual(batch.Successful, [{ Id: 'ok' }]);
  assert.deepEqual(batch.Failed, [{ Id: 'far', SenderFault: true, Code: 'InvalidParameterValue', Message: beyond(40_000) }]);
});

test('the 12 hours start again with the next receive', async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'vis-limit-again' }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'again' }));
  await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 43_200 }));
  await advance('12h');
  const [m] = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 10 }))).Messages!;
  await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 43_200 }));
});
