// DynamoDB time to live: its status and attribute, enabled or disabled with UpdateTimeToLive. Expired
// items are deleted as the virtual clock passes their time (see the clock page).
import { useState } from 'preact/hooks';
import { DynamoDBClient, DescribeTimeToLiveCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { useAction, useLoad } from '../lib/ui.js';
import { ActionError, ActionForm, TextField } from '../lib/form.js';

export function Ttl({ ddb, table }: { ddb: DynamoDBClient; table: string }) {
  const ttl = useLoad(() => ddb.send(new DescribeTimeToLiveCommand({ TableName: table })), [ddb, table]);
  const [attr, setAttr] = useState('expiresAt');
  const act = useAction();
  const d = ttl.data?.TimeToLiveDescription;
  const enabled = d?.TimeToLiveStatus === 'ENABLED' || d?.TimeToLiveStatus === 'ENABLING';
  const update = async (Enabled: boolean) => {
    await ddb.send(
      new UpdateTimeToLiveCommand({
        TableName: table,
        TimeToLiveSpecification: { Enabled, AttributeName: Enabled ? attr : d!.AttributeName! },
      }),
    );
    ttl.reload();
  };
  return (
    <div>
      <h3>Time to live</h3>
      <ActionError act={act} also={[ttl.error]} />
      {d ? (
        enabled ? (
          <p>
            {d.TimeToLiveStatus} on attribute <code>{d.AttributeName}</code> (epoch seconds).{' '}
            <button onClick={() => act.run(() => update(false))} disabled={act.busy}>
              Disable TTL
            </button>
          </p>
        ) : (
          <ActionForm label="Enable TTL" submit="Enable TTL" act={act} run={() => update(true)}>
            <TextField label="TTL attribute (epoch seconds)" aria="TTL attribute" value={attr} onValue={setAttr} />
          </ActionForm>
        )
      ) : null}
    </div>
  );
}
