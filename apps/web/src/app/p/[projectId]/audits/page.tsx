'use client';
// Audit history of the whole project, newest first, filterable by model and verdict.
import { useQueries, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useMemo, useState } from 'react';
import { useProject } from '../../../../client/project.ts';
import { useTRPC } from '../../../../client/trpc.ts';
import { TRIGGER_LABEL, Verdict } from '../../../../components/ops/audit.tsx';
import { QueryError } from '../../../../components/ops/QueryError.tsx';
import { formatDuration, shortId, toTime, type Outputs } from '../../../../components/ops/types.ts';
import { Empty, ErrorBox, Loading, PageHeader, formatDate, formatPercent } from '../../../../components/ui.tsx';

type AuditRow = Outputs['audits']['list'][number];
type ResultFilter = '' | 'intact' | 'tampered';

/** Audits fetched per model; the table shows the newest of them all. */
const PER_MODEL = 200;
const REFRESH_MS = 15_000;

export default function AuditsPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const { projectId, role } = useProject();
  const [modelId, setModelId] = useState('');
  const [result, setResult] = useState<ResultFilter>('');
  const models = useQuery(trpc.models.list.queryOptions({ projectId }));
  const sets = useQuery(trpc.triggerSets.list.queryOptions({ projectId }));
  const modelIds = useMemo(() => (models.data ?? []).map((m) => m.id).filter((id) => !modelId || id === modelId), [models.data, modelId]);
  const perModel = useQueries({
    queries: modelIds.map((id) => ({ ...trpc.audits.list.queryOptions({ projectId, modelId: id, limit: PER_MODEL }), refetchInterval: REFRESH_MS })),
  });
  const modelNames = useMemo(() => new Map((models.data ?? []).map((m) => [m.id, m.name])), [models.data]);
  const setInfo = useMemo(() => new Map((sets.data ?? []).map((s) => [s.id, s])), [sets.data]);
  const loading = models.isPending || perModel.some((q) => q.isPending);
  const failed = perModel.find((q) => q.isError)?.error;
  const rows: AuditRow[] = perModel
    .flatMap((q) => q.data ?? [])
    .filter((a) => !result || (result === 'intact') === a.intact)
    .sort((a, b) => (toTime(b.createdAt) ?? 0) - (toTime(a.createdAt) ?? 0));
  const tampered = rows.filter((a) => !a.intact).length;
  return (
    <>
      <PageHeader title="Audits">
        Every verification of a model against its trigger set: by hand, from CI (API keys) or on a schedule.
      </PageHeader>
      <div className="row filters" role="group" aria-label="Filters">
        <label>
          Model
          <select aria-label="Model filter" data-testid="audits-filter-model" value={modelId} onChange={(e) => setModelId(e.target.value)}>
            <option value="">all models</option>
            {(models.data ?? []).map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Result
          <select aria-label="Result filter" data-testid="audits-filter-result" value={result} onChange={(e) => setResult(e.target.value as ResultFilter)}>
            <option value="">all results</option>
            <option value="intact">intact</option>
            <option value="tampered">tampered</option>
          </select>
        </label>
        {!loading && rows.length > 0 ? (
          <span className="muted small align-end" data-testid="audits-summary">
            {rows.length} audit{rows.length === 1 ? '' : 's'}
            {tampered > 0 ? `, ${tampered} tampered` : ''}
          </span>
        ) : null}
      </div>
      {models.isError ? (
        <QueryError error={models.error} what="models" role={role} />
      ) : loading ? (
        <Loading what="audits" />
      ) : failed ? (
        <QueryError error={failed} what="audits" role={role} />
      ) : rows.length === 0 ? (
        <Empty>
          {models.data.length === 0 ? (
            <>
              No models yet. <Link href={`/p/${projectId}/models`}>Register a model</Link>, seal it with a trigger set, then audit it.
            </>
          ) : modelId || result ? (
            'No audits match these filters.'
          ) : (
            <>
              No audits yet. Run one from a model’s page, on a schedule, or <Link href={`/p/${projectId}/ci`}>from CI</Link>.
            </>
          )}
        </Empty>
      ) : (
        <div className="table-scroll">
          <table data-testid="audits-table">
            <thead>
              <tr>
                <th>When</th>
                <th>Model</th>
                <th>Trigger set</th>
                <th>Mode</th>
                <th>Result</th>
                <th className="num">ChangeRate</th>
                <th className="num">Changed</th>
                <th className="num">Queries</th>
                <th className="num">Duration</th>
                <th>Triggered by</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((a) => {
                const set = setInfo.get(a.triggerSetId);
                const href = `/p/${projectId}/audits/${a.id}`;
                return (
                  <tr key={a.id} data-testid="audit-row" data-audit-id={a.id} data-intact={String(a.intact)} className="clickable" onClick={(e) => {
                    // Whole-row navigation, but leave links inside the row alone.
                    if (!(e.target as HTMLElement).closest('a')) router.push(href);
                  }}>
                    <td className="nowrap">
                      <Link href={href} data-testid="audit-link">
                        {formatDate(a.createdAt)}
                      </Link>
                    </td>
                    <td>
                      <Link href={`/p/${projectId}/models/${a.modelId}`}>{modelNames.get(a.modelId) ?? shortId(a.modelId)}</Link>
                    </td>
                    <td>
                      <Link href={`/p/${projectId}/trigger-sets/${a.triggerSetId}`}>{set?.name ?? shortId(a.triggerSetId)}</Link>
                    </td>
                    <td>{a.mode}</td>
                    <td data-testid="audit-result">
                      <Verdict intact={a.intact} />
                    </td>
                    <td className="num">{formatPercent(a.changeRate)}</td>
                    <td className="num">
                      {a.changedIndices.length}
                      {set ? <span className="muted"> / {set.sampleCount}</span> : null}
                    </td>
                    <td className="num">{a.queries}</td>
                    <td className="num nowrap">{formatDuration(a.durationMs)}</td>
                    <td>{TRIGGER_LABEL[a.trigger]}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <ErrorBox error={sets.error} />
    </>
  );
}
