// DynamoDB time to live: its status and attribute, enabled or disabled with UpdateTimeToLive. Expired
// items are deleted as the virtual clock passes their time (see the clock page).
import { useState } from 'preact/hooks';
import { DynamoDBClient, DescribeTimeToLiveCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { ErrorBox, Field, Form, useAction, useLoad } from '../lib/ui.js';

export function Ttl({ ddb, table }: { ddb: DynamoDBClient; table: string }) {
  const ttl = useLoad(() => ddb.send(new DescribeTimeToLiveCommand({ TableName: table })), [ddb, table]);
  const [attr, setAttr] = useState('expiresAt');
  const act = useAction();
  const d = ttl.data?.TimeToLiveDescription;
  const enabled = d?.TimeToLiveStatus === 'ENABLED' || d?.TimeToLiveStatus === 'ENABLING';
  const update = (Enabled: boolean) =>
    act.run(async () => {
      await ddb.send(
        new UpdateTimeToLiveCommand({
          TableName: table,
          TimeToLiveSpecification: { Enabled, AttributeName: Enabled ? attr : d!.AttributeName! },
        }),
      );
      ttl.reload();
    });
  return (
    <div>
      <h3>Time to live</h3>
      <ErrorBox error={act.error ?? ttl.error} onDismiss={act.error ? act.clear : undefined} />
      {d ? (
        enabled ? (
          <p>
            {d.TimeToLiveStatus} on attribute <code>{d.AttributeName}</code> (epoch seconds).{' '}
            <button onClick={() => update(false)} disabled={act.busy}>
              Disable TTL
            </button>
          </p>
        ) : (
          <Form onSubmit={() => update(true)} label="Enable TTL">
            <Field label="TTL attribute (epoch seconds)">
              <input value={attr} onInput={(e) => setAttr((e.target as HTMLInputElement).value)} aria-label="TTL attribute" />
            </Field>
            <button type="submit" disabled={act.busy}>
              Enable TTL
            </button>
          </Form>
        )
      ) : null}
    </div>
  );
}
