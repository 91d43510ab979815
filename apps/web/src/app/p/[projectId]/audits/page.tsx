'use client';
// Audit history of the whole project, newest first, filterable by model and verdict: one
// project-wide audits.list query, the filters applied by the API.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useMemo, useState } from 'react';
import { useProject } from '../../../../client/project.ts';
import { useTRPC } from '../../../../client/trpc.ts';
import { TRIGGER_LABEL, Verdict } from '../../../../components/ops/audit.tsx';
import { QueryError } from '../../../../components/ops/QueryError.tsx';
import { formatDuration } from '../../../../components/ops/types.ts';
import { Empty, ErrorBox, Loading, PageHeader, formatDate, formatPercent } from '../../../../components/ui.tsx';

type ResultFilter = '' | 'intact' | 'tampered';

/** The newest audits shown (the most audits.list answers at once is 500). */
const LIMIT = 200;
const REFRESH_MS = 15_000;

export default function AuditsPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const { projectId, role } = useProject();
  const [modelId, setModelId] = useState('');
  const [result, setResult] = useState<ResultFilter>('');
  const models = useQuery(trpc.models.list.queryOptions({ projectId }));
  // Trigger sets only for their sample counts ("3 / 100 changed"); names come with each audit row.
  const sets = useQuery(trpc.triggerSets.list.queryOptions({ projectId }));
  const audits = useQuery({
    ...trpc.audits.list.queryOptions({
      projectId,
      limit: LIMIT,
      ...(modelId ? { modelId } : {}),
      ...(result ? { intact: result === 'intact' } : {}),
    }),
    refetchInterval: REFRESH_MS,
  });
  const sampleCounts = useMemo(() => new Map((sets.data ?? []).map((s) => [s.id, s.sampleCount])), [sets.data]);
  const loading = audits.isPending;
  const rows = audits.data ?? [];
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
      {loading ? (
        <Loading what="audits" />
      ) : audits.isError ? (
        <QueryError error={audits.error} what="audits" role={role} />
      ) : rows.length === 0 ? (
        <Empty>
          {models.data?.length === 0 ? (
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
                const sampleCount = sampleCounts.get(a.triggerSetId);
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
                      <Link href={`/p/${projectId}/models/${a.modelId}`} data-testid="audit-row-model">
                        {a.model.name}
                      </Link>
                    </td>
                    <td>
                      <Link href={`/p/${projectId}/trigger-sets/${a.triggerSetId}`} data-testid="audit-row-trigger-set">
                        {a.triggerSet.name}
                      </Link>
                    </td>
                    <td>{a.mode}</td>
                    <td data-testid="audit-result">
                      <Verdict intact={a.intact} />
                    </td>
                    <td className="num">{formatPercent(a.changeRate)}</td>
                    <td className="num">
                      {a.changedIndices.length}
                      {sampleCount !== undefined ? <span className="muted"> / {sampleCount}</span> : null}
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
      {rows.length >= LIMIT ? (
        <p className="muted small" data-testid="audits-limit">
          Showing the latest {LIMIT} audits{modelId || result ? ' that match these filters' : ''}.
        </p>
      ) : null}
      <ErrorBox error={models.error ?? sets.error} />
    </>
  );
}
