'use client';
// Project API keys for CI and scripts: created with a role, the secret shown once, revoked.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { useProject } from '../../client/project.ts';
import { useTRPC } from '../../client/trpc.ts';
import { ConfirmButton } from '../ops/ConfirmButton.tsx';
import { CopyButton } from '../ops/CopyButton.tsx';
import { QueryError } from '../ops/QueryError.tsx';
import { toTime, type Outputs } from '../ops/types.ts';
import { Empty, ErrorBox, Loading, formatDate } from '../ui.tsx';

type ApiKey = Outputs['apiKeys']['list'][number];
type CreatedKey = Outputs['apiKeys']['create'];

function keyState(key: ApiKey, now: number): 'revoked' | 'expired' | 'active' {
  if (key.revokedAt) return 'revoked';
  const expires = toTime(key.expiresAt);
  if (expires !== undefined && expires <= now) return 'expired';
  return 'active';
}

export function ApiKeys() {
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
