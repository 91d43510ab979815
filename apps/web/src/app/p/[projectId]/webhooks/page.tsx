'use client';
// Alert webhooks: where ModelSeal POSTs a signed JSON message when an audit finishes
// (every audit, or only those that find the model tampered), and how their recent deliveries went.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useProject } from '../../../../client/project.ts';
import { useTRPC } from '../../../../client/trpc.ts';
import { ConfirmButton } from '../../../../components/ops/ConfirmButton.tsx';
import { CodeBlock, CopyButton } from '../../../../components/ops/CopyButton.tsx';
import { DeliveriesTable, deliveriesRefetchInterval } from '../../../../components/ops/deliveries.tsx';
import { QueryError } from '../../../../components/ops/QueryError.tsx';
import type { Outputs } from '../../../../components/ops/types.ts';
import { Empty, ErrorBox, Loading, PageHeader, formatDate } from '../../../../components/ui.tsx';

type Webhook = Outputs['webhooks']['list'][number];
type CreatedWebhook = Outputs['webhooks']['create'];

export default function WebhooksPage() {
  const trpc = useTRPC();
  const { projectId, role, isOwner } = useProject();
  const hooks = useQuery(trpc.webhooks.list.queryOptions({ projectId }));
  const [created, setCreated] = useState<CreatedWebhook | null>(null);
  return (
    <>
      <PageHeader title="Alerts">
        Webhooks ModelSeal calls when an audit finishes: a signed JSON POST, retried with backoff until the receiver answers 2xx.
      </PageHeader>
      {created ? <NewWebhookSecret created={created} onDone={() => setCreated(null)} /> : null}
      {hooks.isPending ? (
        <Loading what="webhooks" />
      ) : hooks.isError ? (
        <QueryError error={hooks.error} what="alert webhooks (their URLs often hold secrets)" role={role} />
      ) : hooks.data.length === 0 ? (
        <Empty>No alert webhooks yet.{isOwner ? ' Add one below to hear about tampering as soon as an audit sees it.' : ''}</Empty>
      ) : (
        <table data-testid="webhooks-table">
          <thead>
            <tr>
              <th>URL</th>
              <th>Sends</th>
              <th>Enabled</th>
              <th>Created</th>
              {isOwner ? <th aria-label="Actions" /> : null}
            </tr>
          </thead>
          <tbody>
            {hooks.data.map((hook) => (
              <WebhookRow key={hook.id} hook={hook} isOwner={isOwner} />
            ))}
          </tbody>
        </table>
      )}
      {isOwner ? <CreateWebhook onCreated={setCreated} /> : hooks.isSuccess ? <p className="muted small">Only owners add, change or delete webhooks.</p> : null}
      {hooks.isSuccess && hooks.data.length > 0 ? <RecentDeliveries hooks={hooks.data} /> : null}
      <SignatureHelp />
    </>
  );
}

function WebhookRow({ hook, isOwner }: { hook: Webhook; isOwner: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { projectId } = useProject();
  const listKey = trpc.webhooks.list.queryKey({ projectId });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.webhooks.list.queryKey() });
  const update = useMutation(
    trpc.webhooks.update.mutationOptions({
      // Show the saved row at once; the refetch that follows confirms it.
      onSuccess: (row) => queryClient.setQueryData(listKey, (old) => old?.map((h) => (h.id === row.id ? row : h))),
      onSettled: refresh,
    }),
  );
  // Deleting a webhook deletes its deliveries too.
  const remove = useMutation(
    trpc.webhooks.delete.mutationOptions({
      onSettled: () => Promise.all([refresh(), queryClient.invalidateQueries({ queryKey: trpc.webhooks.deliveries.queryKey() })]),
    }),
  );
  // While a change is saving, the controls show the value asked for (set in the event itself, so
  // the checkbox never flips back in between).
  const [asked, setAsked] = useState<{ enabled?: boolean; onlyOnTamper?: boolean } | null>(null);
  const change = (patch: { enabled?: boolean; onlyOnTamper?: boolean }) => {
    setAsked(patch);
    update.mutate({ projectId, webhookId: hook.id, ...patch }, { onSettled: () => setAsked(null) });
  };
  const enabled = asked?.enabled ?? hook.enabled;
  const onlyOnTamper = asked?.onlyOnTamper ?? hook.onlyOnTamper;
  return (
    <tr data-testid="webhook-row" data-url={hook.url} data-enabled={String(hook.enabled)} className={hook.enabled ? undefined : 'dimmed'}>
      <td className="break">
        <code>{hook.url}</code>
      </td>
      <td>
        {isOwner ? (
          <select
            aria-label="When to send"
            data-testid="webhook-only-on-tamper"
            value={onlyOnTamper ? 'tamper' : 'all'}
            disabled={update.isPending}
            onChange={(e) => change({ onlyOnTamper: e.target.value === 'tamper' })}
          >
            <option value="tamper">only on tamper</option>
            <option value="all">every audit</option>
          </select>
        ) : hook.onlyOnTamper ? (
          'only on tamper'
        ) : (
          'every audit'
        )}
      </td>
      <td>
        {isOwner ? (
          <label className="inline">
            <input
              type="checkbox"
              data-testid="webhook-enabled"
              checked={enabled}
              disabled={update.isPending}
              onChange={(e) => change({ enabled: e.target.checked })}
            />
            {update.isPending ? 'saving…' : enabled ? 'enabled' : 'disabled'}
          </label>
        ) : hook.enabled ? (
          'enabled'
        ) : (
          'disabled'
        )}
      </td>
      <td>{formatDate(hook.createdAt)}</td>
      {isOwner ? (
        <td className="actions-cell">
          <ConfirmButton
            label="Delete"
            question="Delete this webhook and its delivery history?"
            pending={remove.isPending}
            onConfirm={() => remove.mutate({ projectId, webhookId: hook.id })}
            testId="webhook-delete"
          />
          <ErrorBox error={update.error ?? remove.error} />
        </td>
      ) : null}
    </tr>
  );
}

/** Deliveries shown at most; older ones stay in the database. */
const DELIVERIES_SHOWN = 50;

function RecentDeliveries({ hooks }: { hooks: readonly Webhook[] }) {
  const trpc = useTRPC();
  const { projectId, role } = useProject();
  const [webhookId, setWebhookId] = useState('');
  // A webhook that was just deleted is no longer a choice.
  const chosen = hooks.some((h) => h.id === webhookId) ? webhookId : '';
  const deliveries = useQuery({
    ...trpc.webhooks.deliveries.queryOptions({ projectId, limit: DELIVERIES_SHOWN, ...(chosen ? { webhookId: chosen } : {}) }),
    refetchInterval: (query) => deliveriesRefetchInterval(query.state.data),
    refetchIntervalInBackground: false,
  });
  const pending = (deliveries.data ?? []).filter((d) => d.status === 'pending').length;
  return (
    <section className="settings-section deliveries-section" aria-labelledby="deliveries-heading" data-testid="recent-deliveries">
      <h2 id="deliveries-heading">Recent deliveries</h2>
      <div className="row filters" role="group" aria-label="Delivery filters">
        {hooks.length > 1 ? (
          <label>
            Webhook
            <select aria-label="Webhook filter" data-testid="deliveries-filter-webhook" value={chosen} onChange={(e) => setWebhookId(e.target.value)}>
              <option value="">all webhooks</option>
              {hooks.map((h) => (
                <option key={h.id} value={h.id}>
                  {h.url}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <span className="muted small align-end" data-testid="deliveries-summary">
          {pending > 0 ? `${pending} pending, refreshing every 2 seconds.` : `The latest ${DELIVERIES_SHOWN}, newest first.`}
        </span>
      </div>
      {deliveries.isPending ? (
        <Loading what="deliveries" />
      ) : deliveries.isError ? (
        <QueryError error={deliveries.error} what="webhook deliveries" role={role} />
      ) : deliveries.data.length === 0 ? (
        <Empty>{chosen ? 'This webhook has not been called yet.' : 'No deliveries yet: a webhook is called when an audit finishes (only tampered audits, unless set to “every audit”).'}</Empty>
      ) : (
        <DeliveriesTable deliveries={deliveries.data} projectId={projectId} showWebhook={!chosen} />
      )}
    </section>
  );
}

function CreateWebhook({ onCreated }: { onCreated: (hook: CreatedWebhook) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { projectId } = useProject();
  const [url, setUrl] = useState('');
  const [onlyOnTamper, setOnlyOnTamper] = useState(true);
  const create = useMutation(
    trpc.webhooks.create.mutationOptions({
      onSuccess: async (hook) => {
        setUrl('');
        onCreated(hook);
        await queryClient.invalidateQueries({ queryKey: trpc.webhooks.list.queryKey() });
      },
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ projectId, url: url.trim(), onlyOnTamper });
  };
  return (
    <form className="card inline-form" onSubmit={submit} data-testid="create-webhook-form">
      <h3>Add a webhook</h3>
      <div className="row">
        <label className="grow">
          URL
          <input name="webhookUrl" type="url" required placeholder="https://alerts.example.com/modelseal" value={url} onChange={(e) => setUrl(e.target.value)} />
        </label>
        <button type="submit" className="primary align-end" disabled={create.isPending || !url.trim()}>
          {create.isPending ? 'Adding…' : 'Add webhook'}
        </button>
      </div>
      <label className="inline">
        <input name="webhookOnlyOnTamper" type="checkbox" checked={onlyOnTamper} onChange={(e) => setOnlyOnTamper(e.target.checked)} />
        Only when an audit finds the model tampered (otherwise after every audit)
      </label>
      <p className="muted small">Private, loopback and link-local addresses are refused when the alert is sent.</p>
      <ErrorBox error={create.error} />
    </form>
  );
}

function NewWebhookSecret({ created, onDone }: { created: CreatedWebhook; onDone: () => void }) {
  return (
    <div className="card secret-card" role="status" data-testid="webhook-created">
      <h3>Signing secret for {created.url}</h3>
      <p className="secret-warning">
        <strong>Copy this secret now: it will not be shown again.</strong> Your receiver uses it to check the <code>x-modelseal-signature</code> header.
      </p>
      <div className="row secret-row">
        <code className="secret grow" data-testid="webhook-secret">
          {created.secret}
        </code>
        <CopyButton text={created.secret} testId="webhook-secret-copy" />
      </div>
      <div className="row">
        <button type="button" onClick={onDone}>
          I have copied it
        </button>
      </div>
    </div>
  );
}

const VERIFY_SNIPPET = `// Node.js receiver: check the signature before trusting a delivery.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function verifyModelSeal(secret, headers, rawBody) {
  const timestamp = Number(headers['x-modelseal-timestamp']);
  // Refuse old deliveries so a captured request cannot be replayed later.
  if (!Number.isFinite(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > 300) return false;
  const expected = 'sha256=' + createHmac('sha256', secret).update(\`\${timestamp}.\${rawBody}\`).digest('hex');
  const given = String(headers['x-modelseal-signature'] ?? '');
  return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}`;

const PAYLOAD_EXAMPLE = `{
  "event": "audit.tampered",
  "auditId": "…",
  "model": { "id": "…", "name": "…" },
  "triggerSetId": "…",
  "intact": false,
  "changeRate": 0.54,
  "changedIndices": [3, 7, 12],
  "mode": "label",
  "trigger": "schedule",
  "createdAt": "2025-01-01T12:00:00.000Z"
}`;

function SignatureHelp() {
  return (
    <section className="card help-card" aria-labelledby="signature-heading" data-testid="signature-help">
      <h2 id="signature-heading">Verifying deliveries</h2>
      <p>Each delivery is a <code>POST</code> with a JSON body and these headers:</p>
      <table className="compact">
        <tbody>
          <tr>
            <td>
              <code>x-modelseal-signature</code>
            </td>
            <td>
              <code>sha256=&lt;hex&gt;</code>: HMAC-SHA256, keyed with the webhook’s secret, of <code>&lt;timestamp&gt;.&lt;raw body&gt;</code>
            </td>
          </tr>
          <tr>
            <td>
              <code>x-modelseal-timestamp</code>
            </td>
            <td>when it was sent, in seconds since the epoch (signed too, so a captured delivery cannot be replayed as new)</td>
          </tr>
          <tr>
            <td>
              <code>x-modelseal-event</code>
            </td>
            <td>
              <code>audit.tampered</code> or <code>audit.completed</code> (an intact audit, sent only to webhooks set to “every audit”)
            </td>
          </tr>
          <tr>
            <td>
              <code>x-modelseal-delivery</code>
            </td>
            <td>the delivery’s id: the same on every retry, so a receiver can drop duplicates</td>
          </tr>
        </tbody>
      </table>
      <p>
        Compute the HMAC over the body bytes exactly as received (before any JSON parsing), compare in constant time, and reject timestamps
        more than a few minutes old. Answer 2xx to acknowledge; anything else is retried.
      </p>
      <CodeBlock code={VERIFY_SNIPPET} testId="signature-snippet" />
      <h3>Body</h3>
      <CodeBlock code={PAYLOAD_EXAMPLE} />
    </section>
  );
}
