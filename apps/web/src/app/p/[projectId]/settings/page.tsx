'use client';
// Members of the project and its API keys. Owners administer both; members see the lists;
// viewers see the members only (the API answers FORBIDDEN for keys, shown as a notice).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { useProject, type Role } from '../../../../client/project.ts';
import { useSession } from '../../../../client/session.ts';
import { useTRPC } from '../../../../client/trpc.ts';
import { ConfirmButton } from '../../../../components/ops/ConfirmButton.tsx';
import { CopyButton } from '../../../../components/ops/CopyButton.tsx';
import { QueryError } from '../../../../components/ops/QueryError.tsx';
import { toTime, type Outputs } from '../../../../components/ops/types.ts';
import { Empty, ErrorBox, Loading, PageHeader, formatDate } from '../../../../components/ui.tsx';

const ROLES: readonly Role[] = ['owner', 'member', 'viewer'];
const ROLE_HELP: Record<Role, string> = {
  owner: 'administers the project: members, API keys, alert webhooks',
  member: 'registers models, makes trigger sets, runs audits',
  viewer: 'sees models and audit results, never trigger-set inputs',
};

export default function SettingsPage() {
  const { role } = useProject();
  return (
    <>
      <PageHeader title="Members & API keys">
        People in this project and the keys that let CI and scripts call the API.{role ? ` Your role: ${role}.` : ''}
      </PageHeader>
      <Members />
      <ApiKeys />
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// Members

type Member = Outputs['members']['list'][number];

function Members() {
  const trpc = useTRPC();
  const { projectId, role, isOwner } = useProject();
  const { user } = useSession();
  const members = useQuery(trpc.members.list.queryOptions({ projectId }));
  return (
    <section className="settings-section" aria-labelledby="members-heading">
      <h2 id="members-heading">Members</h2>
      {members.isPending ? (
        <Loading what="members" />
      ) : members.isError ? (
        <QueryError error={members.error} what="the members" role={role} />
      ) : members.data.length === 0 ? (
        <Empty>No members.</Empty>
      ) : (
        <table data-testid="members-table">
          <thead>
            <tr>
              <th>Person</th>
              <th>Role</th>
              <th>Member since</th>
              {isOwner ? <th aria-label="Actions" /> : null}
            </tr>
          </thead>
          <tbody>
            {members.data.map((m) => (
              <MemberRow key={m.userId} member={m} isOwner={isOwner} isSelf={m.userId === user?.user.id} />
            ))}
          </tbody>
        </table>
      )}
      {isOwner ? <AddMember /> : <p className="muted small">Only owners add, remove or change members.</p>}
    </section>
  );
}

function MemberRow({ member, isOwner, isSelf }: { member: Member; isOwner: boolean; isSelf: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { projectId } = useProject();
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.members.list.queryKey() });
    // Changing one's own role changes what the whole dashboard may show.
    if (isSelf) await queryClient.invalidateQueries({ queryKey: trpc.projects.get.queryKey() });
  };
  const changeRole = useMutation(
    trpc.members.changeRole.mutationOptions({
      onSuccess: (changed) =>
        queryClient.setQueryData(trpc.members.list.queryKey({ projectId }), (old) =>
          old?.map((m) => (m.userId === changed.userId ? { ...m, role: changed.role } : m)),
        ),
      onSettled: refresh,
    }),
  );
  // The role asked for, shown while it is saved.
  const [askedRole, setAskedRole] = useState<Role | null>(null);
  const remove = useMutation(
    trpc.members.remove.mutationOptions({
      onSuccess: async () => {
        await refresh();
        if (isSelf) await queryClient.invalidateQueries();
      },
    }),
  );
  return (
    <tr data-testid="member-row" data-email={member.email}>
      <td>
        <div>
          {member.name ?? member.email}
          {isSelf ? <span className="muted small"> (you)</span> : null}
        </div>
        {member.name ? <div className="muted small">{member.email}</div> : null}
      </td>
      <td>
        {isOwner ? (
          <select
            aria-label={`Role of ${member.email}`}
            data-testid="member-role"
            value={askedRole ?? member.role}
            disabled={changeRole.isPending}
            onChange={(e) => {
              const role = e.target.value as Role;
              setAskedRole(role);
              changeRole.mutate({ projectId, userId: member.userId, role }, { onSettled: () => setAskedRole(null) });
            }}
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        ) : (
          <span className="pill" data-testid="member-role">
            {member.role}
          </span>
        )}
        {changeRole.isPending ? <span className="muted small"> saving…</span> : null}
        <ErrorBox error={changeRole.error} />
      </td>
      <td className="nowrap">{formatDate(member.since)}</td>
      {isOwner ? (
        <td className="actions-cell">
          <ConfirmButton
            label="Remove"
            question={isSelf ? 'Remove yourself? You lose access to this project.' : `Remove ${member.email}?`}
            pending={remove.isPending}
            onConfirm={() => remove.mutate({ projectId, userId: member.userId })}
            testId="member-remove"
          />
          <ErrorBox error={remove.error} />
        </td>
      ) : null}
    </tr>
  );
}

function AddMember() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { projectId } = useProject();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const add = useMutation(
    trpc.members.add.mutationOptions({
      onSuccess: async () => {
        setEmail('');
        await queryClient.invalidateQueries({ queryKey: trpc.members.list.queryKey() });
      },
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate({ projectId, email: email.trim(), role });
  };
  return (
    <form className="card inline-form" onSubmit={submit} data-testid="add-member-form">
      <h3>Add a member</h3>
      <p className="muted small">The person needs a ModelSeal account already (there are no invitations yet).</p>
      <div className="row">
        <label className="grow">
          Email
          <input name="memberEmail" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="off" />
        </label>
        <label>
          Role
          <select name="memberRole" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary align-end" disabled={add.isPending || !email.trim()}>
          {add.isPending ? 'Adding…' : 'Add member'}
        </button>
      </div>
      <p className="muted small">
        {role}: {ROLE_HELP[role]}.
      </p>
      <ErrorBox error={add.error} />
    </form>
  );
}

// ---------------------------------------------------------------------------------------------
// API keys

type ApiKey = Outputs['apiKeys']['list'][number];
type CreatedKey = Outputs['apiKeys']['create'];

function keyState(key: ApiKey, now: number): 'revoked' | 'expired' | 'active' {
  if (key.revokedAt) return 'revoked';
  const expires = toTime(key.expiresAt);
  if (expires !== undefined && expires <= now) return 'expired';
  return 'active';
}

function ApiKeys() {
  const trpc = useTRPC();
  const { projectId, role, isOwner } = useProject();
  const keys = useQuery(trpc.apiKeys.list.queryOptions({ projectId }));
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const now = Date.now();
  return (
    <section className="settings-section" aria-labelledby="keys-heading">
      <h2 id="keys-heading">API keys</h2>
      <p className="muted">
        A key acts inside this project only, with its own role (member or viewer). Send it as <code>Authorization: Bearer msk_…</code>; see{' '}
        <Link href={`/p/${projectId}/ci`}>Use from CI</Link>.
      </p>
      {created ? <NewKeySecret created={created} onDone={() => setCreated(null)} /> : null}
      {keys.isPending ? (
        <Loading what="API keys" />
      ) : keys.isError ? (
        <QueryError error={keys.error} what="API keys" role={role} />
      ) : keys.data.length === 0 ? (
        <Empty>No API keys yet.{isOwner ? ' Create one below for CI.' : ''}</Empty>
      ) : (
        <table data-testid="api-keys-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Key</th>
              <th>Role</th>
              <th>Created</th>
              <th>Last used</th>
              <th>Expires</th>
              <th>State</th>
              {isOwner ? <th aria-label="Actions" /> : null}
            </tr>
          </thead>
          <tbody>
            {keys.data.map((key) => (
              <ApiKeyRow key={key.id} apiKey={key} state={keyState(key, now)} isOwner={isOwner} />
            ))}
          </tbody>
        </table>
      )}
      {isOwner ? (
        <CreateApiKey onCreated={setCreated} />
      ) : keys.isSuccess ? (
        <p className="muted small">Only owners create and revoke API keys.</p>
      ) : null}
    </section>
  );
}

function ApiKeyRow({ apiKey, state, isOwner }: { apiKey: ApiKey; state: ReturnType<typeof keyState>; isOwner: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { projectId } = useProject();
  const revoke = useMutation(
    trpc.apiKeys.revoke.mutationOptions({ onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() }) }),
  );
  return (
    <tr data-testid="api-key-row" data-name={apiKey.name} data-state={state} className={state === 'active' ? undefined : 'dimmed'}>
      <td>{apiKey.name}</td>
      <td>
        <code data-testid="api-key-prefix">{apiKey.prefix}…</code>
      </td>
      <td>
        <span className="pill">{apiKey.role}</span>
      </td>
      <td className="nowrap">{formatDate(apiKey.createdAt)}</td>
      <td className="nowrap">{apiKey.lastUsedAt ? formatDate(apiKey.lastUsedAt) : <span className="muted">never</span>}</td>
      <td className="nowrap">{apiKey.expiresAt ? formatDate(apiKey.expiresAt) : <span className="muted">never</span>}</td>
      <td>
        <span className={`key-state key-state-${state}`} data-testid="api-key-state">
          {state}
          {state === 'revoked' ? <div className="muted small nowrap">{formatDate(apiKey.revokedAt)}</div> : null}
        </span>
      </td>
      {isOwner ? (
        <td className="actions-cell">
          {state === 'revoked' ? null : (
            <ConfirmButton
              label="Revoke"
              question={`Revoke "${apiKey.name}"? Anything using it stops working at once.`}
              pending={revoke.isPending}
              onConfirm={() => revoke.mutate({ projectId, apiKeyId: apiKey.id })}
              testId="api-key-revoke"
            />
          )}
          <ErrorBox error={revoke.error} />
        </td>
      ) : null}
    </tr>
  );
}

const EXPIRY_CHOICES = [
  { value: '', label: 'never' },
  { value: '30', label: 'in 30 days' },
  { value: '90', label: 'in 90 days' },
  { value: '365', label: 'in a year' },
] as const;

function CreateApiKey({ onCreated }: { onCreated: (key: CreatedKey) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { projectId } = useProject();
  const [name, setName] = useState('');
  const [role, setRole] = useState<'member' | 'viewer'>('member');
  const [expiry, setExpiry] = useState('');
  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: async (created) => {
        setName('');
        onCreated(created);
        await queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
      },
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const expiresAt = expiry ? new Date(Date.now() + Number(expiry) * 86_400_000).toISOString() : undefined;
    create.mutate({ projectId, name: name.trim(), role, ...(expiresAt ? { expiresAt } : {}) });
  };
  return (
    <form className="card inline-form" onSubmit={submit} data-testid="create-api-key-form">
      <h3>Create an API key</h3>
      <div className="row">
        <label className="grow">
          Name
          <input name="apiKeyName" required maxLength={200} placeholder="e.g. GitHub Actions" value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Role
          <select name="apiKeyRole" value={role} onChange={(e) => setRole(e.target.value as 'member' | 'viewer')}>
            <option value="member">member (can run audits)</option>
            <option value="viewer">viewer (read only)</option>
          </select>
        </label>
        <label>
          Expires
          <select name="apiKeyExpiry" value={expiry} onChange={(e) => setExpiry(e.target.value)}>
            {EXPIRY_CHOICES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary align-end" disabled={create.isPending || !name.trim()}>
          {create.isPending ? 'Creating…' : 'Create key'}
        </button>
      </div>
      <p className="muted small">CI needs a member key to run audits; a viewer key can only read results.</p>
      <ErrorBox error={create.error} />
    </form>
  );
}

function NewKeySecret({ created, onDone }: { created: CreatedKey; onDone: () => void }) {
  return (
    <div className="card secret-card" role="status" data-testid="api-key-created">
      <h3>
        New key “{created.name}” ({created.role})
      </h3>
      <p className="secret-warning">
        <strong>Copy this key now: it will not be shown again.</strong> ModelSeal keeps only its hash; if you lose it, revoke it and create another.
      </p>
      <div className="row secret-row">
        <code className="secret grow" data-testid="api-key-secret">
          {created.key}
        </code>
        <CopyButton text={created.key} testId="api-key-secret-copy" />
      </div>
      <div className="row">
        <button type="button" onClick={onDone} data-testid="api-key-secret-done">
          I have copied it
        </button>
      </div>
    </div>
  );
}
