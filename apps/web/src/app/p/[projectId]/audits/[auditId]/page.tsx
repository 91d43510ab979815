'use client';
// One audit: the verdict, its numbers, which trigger samples changed their answer, who started it,
// and (for roles that may read webhooks) which alert webhooks it called.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import type { ReactNode } from 'react';
import { useProject } from '../../../../../client/project.ts';
import { errorCode } from '../../../../../client/errors.ts';
import { useTRPC } from '../../../../../client/trpc.ts';
import { TRIGGER_LABEL, classNamesOf, labelText } from '../../../../../components/ops/audit.tsx';
import { QueryError } from '../../../../../components/ops/QueryError.tsx';
import { DeliveriesTable, deliveriesRefetchInterval } from '../../../../../components/ops/deliveries.tsx';
import { formatDuration, shortId, type Outputs } from '../../../../../components/ops/types.ts';
import { Empty, ErrorBox, Loading, PageHeader, formatDate, formatPercent } from '../../../../../components/ui.tsx';

type AuditDetail = Outputs['audits']['get'];

export default function AuditPage() {
  const trpc = useTRPC();
  const { projectId, role } = useProject();
  const { auditId } = useParams<{ auditId: string }>();
  const audit = useQuery(trpc.audits.get.queryOptions({ projectId, auditId }));
  const base = `/p/${projectId}`;
  if (audit.isPending) return <Loading what="the audit" />;
  if (audit.isError) {
    return (
      <>
        <PageHeader title="Audit" />
        <QueryError error={audit.error} what="this audit" role={role} />
        <p>
          <Link href={`${base}/audits`}>← All audits</Link>
        </p>
      </>
    );
  }
  return <AuditView audit={audit.data} />;
}

function AuditView({ audit }: { audit: AuditDetail }) {
  const trpc = useTRPC();
  const { projectId } = useProject();
  const base = `/p/${projectId}`;
  const model = useQuery(trpc.models.get.queryOptions({ projectId, modelId: audit.modelId }));
  const set = useQuery(trpc.triggerSets.get.queryOptions({ projectId, triggerSetId: audit.triggerSetId }));
  const classNames = classNamesOf(model.data?.config);
  const total = set.data?.sampleCount;
  const changedCount = audit.changedIndices.length;
  const observedMissing = audit.changed.some((c) => c.observed === null);
  const probability = audit.mode === 'probability';
  return (
    <>
      <p className="breadcrumb small">
        <Link href={`${base}/audits`}>← All audits</Link>
      </p>
      <PageHeader title="Audit">
        {formatDate(audit.createdAt)} · <code>{shortId(audit.id)}</code>
      </PageHeader>
      <section
        className={`verdict ${audit.intact ? 'verdict-intact' : 'verdict-tampered'}`}
        data-testid="audit-verdict"
        data-intact={String(audit.intact)}
        aria-label="Verdict"
      >
        <div className="verdict-word">{audit.intact ? 'Intact' : 'Tampered'}</div>
        <div className="verdict-text">
          {audit.intact
            ? `${total !== undefined ? `All ${total} trigger samples` : 'Every trigger sample'} got the answer recorded when the model was sealed${probability ? ' (probabilities within the recorded tolerance)' : ''}.`
            : `${changedCount}${total ? ` of ${total}` : ''} trigger sample${changedCount === 1 ? '' : 's'} changed ${probability ? 'beyond the recorded tolerance' : changedCount === 1 ? 'its label' : 'their label'}: this is not the model that was sealed.`}
        </div>
      </section>
      <div className="cards audit-stats">
        <Stat label="ChangeRate" value={formatPercent(audit.changeRate)} testId="audit-change-rate" />
        <Stat label="Changed samples" value={`${changedCount}${total !== undefined ? ` / ${total}` : ''}`} testId="audit-changed-count" />
        <Stat label="Queries" value={String(audit.queries)} />
        <Stat label="Duration" value={formatDuration(audit.durationMs)} />
        <Stat label="Mode" value={audit.mode} hint={probability ? 'whole probability vectors, within the enrolled tolerance' : 'top-1 labels'} />
        <Stat label="Triggered by" value={<TriggeredBy audit={audit} />} testId="audit-triggered-by" />
      </div>
      <dl className="facts">
        <dt>Model</dt>
        <dd>
          <Link href={`${base}/models/${audit.modelId}`} data-testid="audit-model-link">
            {model.data?.name ?? shortId(audit.modelId)}
          </Link>
        </dd>
        <dt>Trigger set</dt>
        <dd>
          <Link href={`${base}/trigger-sets/${audit.triggerSetId}`} data-testid="audit-trigger-set-link">
            {set.data?.name ?? shortId(audit.triggerSetId)}
          </Link>{' '}
          <span className="muted small">(its page shows the sample images)</span>
        </dd>
        {audit.jobId ? (
          <>
            <dt>Job</dt>
            <dd>
              <Link href={`${base}/jobs`}>
                <code>{shortId(audit.jobId)}</code>
              </Link>
            </dd>
          </>
        ) : null}
      </dl>
      <h2>Changed samples</h2>
      {audit.changed.length === 0 ? (
        <Empty>No trigger sample changed its answer.</Empty>
      ) : (
        <>
          <p className="muted small">
            Each entry is a trigger sample (its index in the trigger set) with the label recorded at sealing → the label this audit observed.
            {observedMissing ? ' This audit did not record the labels it observed for some samples (older or scheduled audits).' : ''}
          </p>
          <ul className="changed-grid" data-testid="changed-samples" aria-label="Changed samples">
            {audit.changed.map((c) => (
              <li key={c.index} className="changed-chip" data-testid="changed-sample" data-index={c.index}>
                <span className="changed-index">#{c.index}</span>
                <span className="changed-labels">
                  <span data-testid="changed-expected" title="expected (recorded at sealing)">
                    {labelText(c.expected, classNames)}
                  </span>
                  <span className="muted"> → </span>
                  <span
                    data-testid="changed-observed"
                    title="observed in this audit"
                    className={c.observed !== null && c.observed !== c.expected ? 'changed-label' : undefined}
                  >
                    {labelText(c.observed, classNames)}
                  </span>
                </span>
                {probability && c.maxDelta !== null ? (
                  <span className="muted small" title="largest change of one class probability">
                    Δp {c.maxDelta.toExponential(1)}
                  </span>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      )}
      <AuditDeliveries audit={audit} />
    </>
  );
}

/**
 * The alert webhooks this audit called and how each delivery went. Webhooks are for owners and
 * members: for other roles the API answers FORBIDDEN and the section is left out.
 */
function AuditDeliveries({ audit }: { audit: AuditDetail }) {
  const trpc = useTRPC();
  const { projectId } = useProject();
  const deliveries = useQuery({
    ...trpc.webhooks.deliveries.queryOptions({ projectId, auditId: audit.id }),
    refetchInterval: (query) => (errorCode(query.state.error) === 'FORBIDDEN' ? false : deliveriesRefetchInterval(query.state.data)),
    refetchIntervalInBackground: false,
  });
  if (deliveries.isError && errorCode(deliveries.error) === 'FORBIDDEN') return null;
  return (
    <section aria-labelledby="audit-deliveries-heading" data-testid="audit-deliveries">
      <h2 id="audit-deliveries-heading">Webhook deliveries</h2>
      {deliveries.isPending ? (
        <Loading what="deliveries" />
      ) : deliveries.isError ? (
        <ErrorBox error={deliveries.error} />
      ) : deliveries.data.length === 0 ? (
        <Empty>
          No alert webhook was called for this audit
          {audit.intact ? ' (webhooks set to “only on tamper” skip intact audits)' : ''}. Webhooks are set up on the{' '}
          <Link href={`/p/${projectId}/webhooks`}>Alerts</Link> page.
        </Empty>
      ) : (
        <DeliveriesTable deliveries={deliveries.data} projectId={projectId} showAudit={false} testId="audit-deliveries-table" />
      )}
    </section>
  );
}

function Stat({ label, value, hint, testId }: { label: string; value: ReactNode; hint?: string; testId?: string }) {
  return (
    <div className="card stat" title={hint}>
      <span className="muted small">{label}</span>
      <span className="value" data-testid={testId}>
        {value}
      </span>
    </div>
  );
}

/** "manual · Ada Lovelace", "API (CI) · key “GitHub Actions”", "schedule · 0 * * * *". */
function TriggeredBy({ audit }: { audit: AuditDetail }) {
  const trpc = useTRPC();
  const { projectId, canWrite } = useProject();
  const members = useQuery({ ...trpc.members.list.queryOptions({ projectId }), enabled: Boolean(audit.triggeredById) });
  // Key names are for members and owners; viewers see that a key ran it.
  const keys = useQuery({ ...trpc.apiKeys.list.queryOptions({ projectId }), enabled: Boolean(audit.apiKeyId) && canWrite });
  const schedules = useQuery({ ...trpc.schedules.list.queryOptions({ projectId }), enabled: Boolean(audit.scheduleId) });
  const person = audit.triggeredById ? members.data?.find((m) => m.userId === audit.triggeredById) : undefined;
  const key = audit.apiKeyId ? keys.data?.find((k) => k.id === audit.apiKeyId) : undefined;
  const schedule = audit.scheduleId ? schedules.data?.find((s) => s.id === audit.scheduleId) : undefined;
  const who = key ? `key “${key.name}”` : schedule ? schedule.cron : person ? (person.name ?? person.email) : undefined;
  return (
    <span className="triggered-by">
      {TRIGGER_LABEL[audit.trigger]}
      {who ? <span className="muted small"> · {who}</span> : null}
    </span>
  );
}
