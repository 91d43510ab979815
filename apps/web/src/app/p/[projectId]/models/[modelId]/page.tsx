'use client';
// One model: its integrity now and over time, audits on demand, its trigger sets (and making
// new ones, with live progress), audit schedules and recent audits.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useProject } from '../../../../../client/project.ts';
import { useTRPC } from '../../../../../client/trpc.ts';
import { AuditNowPanel } from '../../../../../components/AuditNowPanel.tsx';
import { ChangeRateChart } from '../../../../../components/ChangeRateChart.tsx';
import { FragilizePanel } from '../../../../../components/FragilizePanel.tsx';
import { ModelSchedules } from '../../../../../components/ModelSchedules.tsx';
import { asRecord, formatDuration, integrityOf, paramsSummary } from '../../../../../components/modelStatus.ts';
import { Empty, ErrorBox, Loading, PageHeader, StatusBadge, formatDate, formatPercent } from '../../../../../components/ui.tsx';

export default function ModelPage() {
  const trpc = useTRPC();
  const { modelId } = useParams<{ projectId: string; modelId: string }>();
  const { projectId, canWrite } = useProject();
  const model = useQuery(trpc.models.get.queryOptions({ projectId, modelId }));
  const models = useQuery(trpc.models.list.queryOptions({ projectId }));
  const history = useQuery(trpc.audits.history.queryOptions({ projectId, modelId, limit: 200 }, { refetchInterval: 30_000 }));
  const audits = useQuery(trpc.audits.list.queryOptions({ projectId, modelId, limit: 20 }, { refetchInterval: 30_000 }));
  const allSets = useQuery(trpc.triggerSets.list.queryOptions({ projectId }));

  if (model.isError) {
    return (
      <>
        <PageHeader title="Model">
          <Link href={`/p/${projectId}/models`}>← Models</Link>
        </PageHeader>
        <ErrorBox error={model.error} />
      </>
    );
  }
  if (!model.data) return <Loading what="model" />;
  const m = model.data;
  const latest = audits.data?.[0] ?? null;
  const status = audits.data ? integrityOf(latest) : history.data ? integrityOf(history.data.at(-1)) : 'unknown';
  const sets = allSets.data ?? [];
  const ownSets = sets.filter((s) => s.modelId === modelId);
  const setName = new Map(sets.map((s) => [s.id, s.name]));
  const modelNames = new Map((models.data ?? []).map((x) => [x.id, x.name]));
  const points = history.data ?? [];
  const tamperedCount = points.filter((p) => !p.intact).length;

  return (
    <div className="model-page" data-testid="model-page" data-model-id={m.id}>
      <PageHeader
        title={m.name}
        actions={
          <span data-testid="model-status" data-status={status} className="header-status">
            <StatusBadge status={status} />
          </span>
        }
      >
        <Link href={`/p/${projectId}/models`}>← Models</Link>
      </PageHeader>

      <div className="cards model-facts">
        <div className="card stat">
          <span className="muted small">Integrity</span>
          <span className={`value status-${status}`}>{status}</span>
          <span className="small muted">{latest ? `last audited ${formatDate(latest.createdAt)}` : 'never audited'}</span>
        </div>
        <div className="card stat">
          <span className="muted small">Last ChangeRate</span>
          <span className="value">{formatPercent(latest?.changeRate)}</span>
          <span className="small muted">{points.length > 0 ? `${points.length} audit${points.length === 1 ? '' : 's'}, ${tamperedCount} tampered` : '—'}</span>
        </div>
        <div className="card stat">
          <span className="muted small">Adapter</span>
          <span className="value">
            <span className="pill" data-testid="model-adapter">
              {m.adapterKind}
            </span>
          </span>
          <span className="small muted">registered {formatDate(m.createdAt)}</span>
        </div>
        <div className="card stat">
          <span className="muted small">Fingerprint</span>
          <code className="fingerprint" title={m.fingerprint ?? undefined} data-testid="model-fingerprint">
            {m.fingerprint ?? '—'}
          </code>
          {m.artifactRef ? (
            <span className="small muted fingerprint" title={m.artifactRef}>
              artifact {m.artifactRef}
            </span>
          ) : null}
        </div>
      </div>

      <h2>ChangeRate over time</h2>
      <ErrorBox error={history.error} />
      {history.isPending ? <Loading what="history" /> : <ChangeRateChart points={points} hrefFor={(id) => `/p/${projectId}/audits/${id}`} />}

      {canWrite ? (
        <>
          <h2>Audit now</h2>
          <ErrorBox error={allSets.error} />
          {allSets.data ? <AuditNowPanel projectId={projectId} modelId={modelId} sets={sets} modelNames={modelNames} /> : <Loading what="trigger sets" />}
        </>
      ) : null}

      <h2>Trigger sets</h2>
      <ErrorBox error={allSets.error} />
      {allSets.isPending ? <Loading what="trigger sets" /> : null}
      {allSets.data && ownSets.length === 0 ? (
        <Empty>
          No trigger set was made on this model.{' '}
          {sets.length > 0 ? 'It can still be audited with a set of another model of the project (a deployed copy against the original’s seal). ' : ''}
          {canWrite ? 'Make one with “New trigger set”.' : ''}
        </Empty>
      ) : null}
      {ownSets.length > 0 ? (
        <table data-testid="trigger-sets-table">
          <thead>
            <tr>
              <th>Name</th>
              <th className="num">Samples</th>
              <th>Parameters</th>
              <th>Converged</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {ownSets.map((s) => {
              const stats = asRecord(s.stats);
              return (
                <tr key={s.id} data-testid="trigger-set-row" data-trigger-set-id={s.id}>
                  <td>
                    <Link href={`/p/${projectId}/trigger-sets/${s.id}`}>
                      <strong>{s.name}</strong>
                    </Link>
                    {s.signature ? (
                      <span className="pill small signed" title={`signed (${s.signature})`}>
                        signed
                      </span>
                    ) : null}
                  </td>
                  <td className="num">{s.sampleCount}</td>
                  <td className="small">{paramsSummary(s.params)}</td>
                  <td className="small">
                    {typeof stats.converged === 'number' ? `${stats.converged} / ${s.sampleCount}` : '—'}
                    {typeof stats.durationMs === 'number' ? <span className="muted"> in {formatDuration(stats.durationMs)}</span> : null}
                  </td>
                  <td>{formatDate(s.createdAt)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      <FragilizePanel projectId={projectId} modelId={modelId} canWrite={canWrite} />

      <h2>Schedules</h2>
      <ModelSchedules projectId={projectId} modelId={modelId} sets={sets} modelNames={modelNames} canWrite={canWrite} />

      <h2>Recent audits</h2>
      <ErrorBox error={audits.error} />
      {audits.isPending ? <Loading what="audits" /> : null}
      {audits.data && audits.data.length === 0 ? <Empty>No audits yet.</Empty> : null}
      {audits.data && audits.data.length > 0 ? (
        <table data-testid="recent-audits">
          <thead>
            <tr>
              <th>When</th>
              <th>Result</th>
              <th className="num">ChangeRate</th>
              <th className="num">Changed</th>
              <th>Trigger set</th>
              <th>Mode</th>
              <th>Trigger</th>
              <th className="num">Queries</th>
              <th className="num">Duration</th>
            </tr>
          </thead>
          <tbody>
            {audits.data.map((a) => (
              <tr key={a.id} data-testid="audit-row" data-status={a.intact ? 'intact' : 'tampered'}>
                <td>
                  <Link href={`/p/${projectId}/audits/${a.id}`}>{formatDate(a.createdAt)}</Link>
                </td>
                <td>
                  <StatusBadge status={a.intact ? 'intact' : 'tampered'} />
                </td>
                <td className="num">{formatPercent(a.changeRate)}</td>
                <td className="num">{a.changedIndices.length}</td>
                <td>
                  {setName.has(a.triggerSetId) ? (
                    <Link href={`/p/${projectId}/trigger-sets/${a.triggerSetId}`}>{setName.get(a.triggerSetId)}</Link>
                  ) : (
                    <span className="muted">{a.triggerSetId.slice(0, 8)}</span>
                  )}
                </td>
                <td>{a.mode}</td>
                <td>{a.trigger}</td>
                <td className="num">{a.queries}</td>
                <td className="num">{formatDuration(a.durationMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
