// IAM: users, roles, customer managed policies with an editor the real API validates, and a
// policy simulator (SimulateCustomPolicy).
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
} from '@aws-sdk/client-iam';
import { useClient } from '../lib/session.js';
import { Copy, Empty, ErrorBox, Field, Form, Loading, Section, Tabs, fmtDate, useAction, useLoad } from '../lib/ui.js';

const SAMPLE_POLICY = JSON.stringify(
  { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::my-bucket', 'arn:aws:s3:::my-bucket/*'] }] },
  null,
  2,
);
const LAMBDA_TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }, null, 2);
const list = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

function Users({ iam }: { iam: IAMClient }) {
  const users = useLoad(() => iam.send(new ListUsersCommand({})), [iam]);
  const [name, setName] = useState('');
  const act = useAction();
  const rows = users.data?.Users ?? [];
  return (
    <Section title="Users" actions={<button onClick={users.reload}>Refresh</button>}>
      <Form onSubmit={() => act.run(async () => (await iam.send(new CreateUserCommand({ UserName: name })), setName(''), users.reload()))} label="Create user">
        <Field label="User name">
          <input value={name} required onInput={(e) => setName((e.target as HTMLInputElement).value)} aria-label="User name" />
        </Field>
        <button class="primary" type="submit" disabled={act.busy}>
          Create user
        </button>
      </Form>
      <ErrorBox error={act.error ?? users.error} onDismiss={act.error ? act.clear : undefined} />
      {users.loading && !users.data ? (
        <Loading />
      ) : rows.length === 0 ? (
        <Empty>No users. The console signs as the account's root.</Empty>
      ) : (
        <table aria-label="Users">
          <thead>
            <tr>
              <th>Name</th>
              <th>ARN</th>
              <th>Created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((u) => (
              <tr key={u.UserId}>
                <td>{u.UserName}</td>
                <td>
                  <Copy value={u.Arn!} label={`ARN of ${u.UserName}`} />
                </td>
                <td>{fmtDate(u.CreateDate)}</td>
                <td>
                  <button class="danger" onClick={() => act.run(async () => (await iam.send(new DeleteUserCommand({ UserName: u.UserName! })), users.reload()))}>
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

function Roles({ iam }: { iam: IAMClient }) {
  const roles = useLoad(() => iam.send(new ListRolesCommand({})), [iam]);
  const [name, setName] = useState('');
  const [trust, setTrust] = useState(LAMBDA_TRUST);
  const act = useAction();
  const rows = roles.data?.Roles ?? [];
  return (
    <Section title="Roles" actions={<button onClick={roles.reload}>Refresh</button>}>
      <Form
        onSubmit={() => act.run(async () => (await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust })), setName(''), roles.reload()))}
        label="Create role"
      >
        <Field label="Role name">
          <input value={name} required onInput={(e) => setName((e.target as HTMLInputElement).value)} aria-label="Role name" />
        </Field>
        <Field label="Trust policy">
          <textarea rows={6} cols={60} value={trust} onInput={(e) => setTrust((e.target as HTMLTextAreaElement).value)} aria-label="Trust policy" spellcheck={false} />
        </Field>
        <button class="primary" type="submit" disabled={act.busy}>
          Create role
        </button>
      </Form>
      <ErrorBox error={act.error ?? roles.error} onDismiss={act.error ? act.clear : undefined} />
      {roles.loading && !roles.data ? (
        <Loading />
      ) : rows.length === 0 ? (
        <Empty>No roles.</Empty>
      ) : (
        <table aria-label="Roles">
          <thead>
            <tr>
              <th>Name</th>
              <th>ARN</th>
              <th>Created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.RoleId}>
                <td>{r.RoleName}</td>
                <td>
                  <Copy value={r.Arn!} label={`ARN of ${r.RoleName}`} />
                </td>
                <td>{fmtDate(r.CreateDate)}</td>
                <td>
                  <button class="danger" onClick={() => act.run(async () => (await iam.send(new DeleteRoleCommand({ RoleName: r.RoleName! })), roles.reload()))}>
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

function Policies({ iam }: { iam: IAMClient }) {
  const policies = useLoad(() => iam.send(new ListPoliciesCommand({ Scope: 'Local' })), [iam]);
  const [name, setName] = useState('');
  const [doc, setDoc] = useState(SAMPLE_POLICY);
  const [actions, setActions] = useState('s3:GetObject, s3:PutObject');
  const [resources, setResources] = useState('arn:aws:s3:::my-bucket/report.csv');
  const [results, setResults] = useState<EvaluationResult[]>();
  const act = useAction();
  const simulate = () =>
    act.run(async () => {
      const out = await iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [doc], ActionNames: list(actions), ResourceArns: list(resources).length ? list(resources) : undefined }));
      setResults(out.EvaluationResults ?? []);
    });
  const rows = policies.data?.Policies ?? [];
  return (
    <>
      <Section title="Policy editor and simulator">
        <p class="muted">IAM itself checks the document: a simulation or a create refuses a malformed policy with IAM's own error.</p>
        <Field label="Policy document">
          <textarea rows={12} value={doc} onInput={(e) => setDoc((e.target as HTMLTextAreaElement).value)} aria-label="Policy document" spellcheck={false} />
        </Field>
        <Form onSubmit={simulate} label="Simulate">
          <Field label="Actions">
            <input value={actions} onInput={(e) => setActions((e.target as HTMLInputElement).value)} aria-label="Actions to simulate" size={40} />
          </Field>
          <Field label="Resources (blank: *)">
            <input value={resources} onInput={(e) => setResources((e.target as HTMLInputElement).value)} aria-label="Resources to simulate" size={40} />
          </Field>
          <button class="primary" type="submit" disabled={act.busy}>
            Simulate
          </button>
        </Form>
        <Form onSubmit={() => act.run(async () => (await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: doc })), setName(''), policies.reload()))} label="Create policy">
          <Field label="Policy name">
            <input value={name} required onInput={(e) => setName((e.target as HTMLInputElement).value)} aria-label="Policy name" />
          </Field>
          <button type="submit" disabled={act.busy}>
            Create policy
          </button>
        </Form>
        <ErrorBox error={act.error} onDismiss={act.clear} />
        {results ? (
          <table aria-label="Simulation results">
            <thead>
              <tr>
                <th>Action</th>
                <th>Resource</th>
                <th>Decision</th>
                <th>Matched statements</th>
              </tr>
            </thead>
            <tbody>
              {results.map((r, i) => (
                <tr key={i}>
                  <td>{r.EvalActionName}</td>
                  <td>{r.EvalResourceName}</td>
                  <td>
                    <span class={`badge ${r.EvalDecision === 'allowed' ? 'ok' : 'bad'}`}>{r.EvalDecision}</span>
                  </td>
                  <td>{(r.MatchedStatements ?? []).map((s) => s.SourcePolicyId).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Section>
      <Section title="Customer managed policies" actions={<button onClick={policies.reload}>Refresh</button>}>
        <ErrorBox error={policies.error} />
        {rows.length === 0 ? (
          <Empty>No customer managed policies.</Empty>
        ) : (
          <table aria-label="Policies">
            <tbody>
              {rows.map((p) => (
                <tr key={p.PolicyId}>
                  <td>{p.PolicyName}</td>
                  <td>
                    <Copy value={p.Arn!} label={`ARN of ${p.PolicyName}`} />
                  </td>
                  <td>{p.AttachmentCount} attached</td>
                  <td>
                    <button class="danger" onClick={() => act.run(async () => (await iam.send(new DeletePolicyCommand({ PolicyArn: p.Arn! })), policies.reload()))}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
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
      <Tabs label="IAM" value={tab} onChange={setTab} tabs={[{ id: 'users', name: 'Users' }, { id: 'roles', name: 'Roles' }, { id: 'policies', name: 'Policies and simulator' }]} />
      {tab === 'users' ? <Users iam={iam} /> : tab === 'roles' ? <Roles iam={iam} /> : <Policies iam={iam} />}
    </div>
  );
}
