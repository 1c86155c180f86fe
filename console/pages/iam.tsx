// IAM: users, roles, customer managed policies with an editor the real API validates, and a
// policy simulator (SimulateCustomPolicy).
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import {
  IAMClient,
  ListUsersCommand,
  CreateUserCommand,
  DeleteUserCommand,
  ListRolesCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  ListPoliciesCommand,
  CreatePolicyCommand,
  DeletePolicyCommand,
  SimulateCustomPolicyCommand,
  type EvaluationResult,
  type Role,
  type User,
} from '@aws-sdk/client-iam';
import { useClient } from '../lib/session.js';
import { Copy, Section, Tabs, fmtDate, useAction, useLoad } from '../lib/ui.js';
import { ActionError, ActionForm, DeleteButton, NameForm, TextArea, TextField } from '../lib/form.js';
import { ResourceTable, StateBadge } from '../lib/table.js';

const SAMPLE_POLICY = JSON.stringify(
  {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::my-bucket', 'arn:aws:s3:::my-bucket/*'] },
    ],
  },
  null,
  2,
);
const LAMBDA_TRUST = JSON.stringify(
  { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
  null,
  2,
);
const list = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/** A kind of identity (users, roles): a create form (its name, and `children` for more fields), the list with ARNs and deletes. */
function Identities<T extends { Arn?: string; CreateDate?: Date }>(p: {
  kind: 'User' | 'Role';
  load: { data?: unknown; error?: unknown; loading: boolean; reload: () => void };
  rows: T[];
  rowKey: (r: T) => string;
  name: (r: T) => string;
  create: (name: string) => Promise<unknown>;
  remove: (name: string) => Promise<unknown>;
  empty: string;
  children?: ComponentChildren;
}) {
  const act = useAction();
  return (
    <Section title={`${p.kind}s`} refresh={p.load.reload}>
      <NameForm
        label={`Create ${p.kind.toLowerCase()}`}
        submit={`Create ${p.kind.toLowerCase()}`}
        primary
        act={act}
        run={async (name) => (await p.create(name), p.load.reload())}
        field={`${p.kind} name`}
      >
        {p.children}
      </NameForm>
      <ActionError act={act} />
      <ResourceTable
        label={`${p.kind}s`}
        wrap={false}
        load={p.load}
        empty={p.empty}
        rows={p.rows}
        rowKey={p.rowKey}
        columns={{
          Name: p.name,
          ARN: (r) => <Copy value={r.Arn!} label={`ARN of ${p.name(r)}`} />,
          Created: (r) => fmtDate(r.CreateDate),
          '': (r) => <DeleteButton act={act} run={async () => (await p.remove(p.name(r)), p.load.reload())} />,
        }}
      />
    </Section>
  );
}

function Users({ iam }: { iam: IAMClient }) {
  const users = useLoad(() => iam.send(new ListUsersCommand({})), [iam]);
  return (
    <Identities<User>
      kind="User"
      load={users}
      rows={users.data?.Users ?? []}
      rowKey={(u) => u.UserId!}
      name={(u) => u.UserName!}
      create={(UserName) => iam.send(new CreateUserCommand({ UserName }))}
      remove={(UserName) => iam.send(new DeleteUserCommand({ UserName }))}
      empty="No users. The console signs as the account's root."
    />
  );
}

function Roles({ iam }: { iam: IAMClient }) {
  const roles = useLoad(() => iam.send(new ListRolesCommand({})), [iam]);
  const [trust, setTrust] = useState(LAMBDA_TRUST);
  return (
    <Identities<Role>
      kind="Role"
      load={roles}
      rows={roles.data?.Roles ?? []}
      rowKey={(r) => r.RoleId!}
      name={(r) => r.RoleName!}
      create={(RoleName) => iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trust }))}
      remove={(RoleName) => iam.send(new DeleteRoleCommand({ RoleName }))}
      empty="No roles."
    >
      <TextArea label="Trust policy" rows={6} cols={60} value={trust} onValue={setTrust} />
    </Identities>
  );
}

function Policies({ iam }: { iam: IAMClient }) {
  const policies = useLoad(() => iam.send(new ListPoliciesCommand({ Scope: 'Local' })), [iam]);
  const [doc, setDoc] = useState(SAMPLE_POLICY);
  const [actions, setActions] = useState('s3:GetObject, s3:PutObject');
  const [resources, setResources] = useState('arn:aws:s3:::my-bucket/report.csv');
  const [results, setResults] = useState<EvaluationResult[]>();
  const act = useAction();
  const simulate = () =>
    act.run(async () => {
      // a simulation that fails leaves no earlier simulation's results on screen
      setResults(undefined);
      const out = await iam.send(
        new SimulateCustomPolicyCommand({
          PolicyInputList: [doc],
          ActionNames: list(actions),
          ResourceArns: list(resources).length ? list(resources) : undefined,
        }),
      );
      setResults(out.EvaluationResults ?? []);
    });
  return (
    <>
      <Section title="Policy editor and simulator">
        <p class="muted">IAM itself checks the document: a simulation or a create refuses a malformed policy with IAM's own error.</p>
        <TextArea label="Policy document" rows={12} value={doc} onValue={setDoc} />
        <ActionForm label="Simulate" submit="Simulate" primary act={act} run={simulate}>
          <TextField label="Actions" aria="Actions to simulate" value={actions} onValue={setActions} size={40} />
          <TextField label="Resources (blank: *)" aria="Resources to simulate" value={resources} onValue={setResources} size={40} />
        </ActionForm>
        <NameForm
          label="Create policy"
          submit="Create policy"
          act={act}
          run={async (PolicyName) => (await iam.send(new CreatePolicyCommand({ PolicyName, PolicyDocument: doc })), policies.reload())}
          field="Policy name"
        />
        <ActionError act={act} />
        {results ? (
          <ResourceTable
            label="Simulation results"
            wrap={false}
            rows={results}
            rowKey={(_, i) => i}
            columns={{
              Action: (r) => r.EvalActionName,
              Resource: (r) => r.EvalResourceName,
              Decision: (r) => <StateBadge state={r.EvalDecision} tone={r.EvalDecision === 'allowed' ? 'ok' : 'bad'} />,
              'Matched statements': (r) => (r.MatchedStatements ?? []).map((s) => s.SourcePolicyId).join(', '),
            }}
          />
        ) : null}
      </Section>
      <Section title="Customer managed policies" refresh={policies.reload}>
        <ResourceTable
          label="Policies"
          wrap={false}
          headless
          load={policies}
          empty="No customer managed policies."
          rows={policies.data?.Policies ?? []}
          rowKey={(p) => p.PolicyId!}
          columns={{
            Name: (p) => p.PolicyName,
            ARN: (p) => <Copy value={p.Arn!} label={`ARN of ${p.PolicyName}`} />,
            Attached: (p) => `${p.AttachmentCount} attached`,
            '': (p) => (
              <DeleteButton
                act={act}
                run={async () => (await iam.send(new DeletePolicyCommand({ PolicyArn: p.Arn! })), policies.reload())}
              />
            ),
          }}
        />
      </Section>
    </>
  );
}

export default function IamPage() {
  const iam = useClient(IAMClient);
  const [tab, setTab] = useState<'users' | 'roles' | 'policies'>('users');
  return (
    <div>
      <h1>IAM</h1>
      <Tabs
        label="IAM"
        value={tab}
        onChange={setTab}
        tabs={[
          { id: 'users', name: 'Users' },
          { id: 'roles', name: 'Roles' },
          { id: 'policies', name: 'Policies and simulator' },
        ]}
      />
      {tab === 'users' ? <Users iam={iam} /> : tab === 'roles' ? <Roles iam={iam} /> : <Policies iam={iam} />}
    </div>
  );
}
