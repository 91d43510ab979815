'use client';
// Models of the project with their integrity at a glance: counts per status on top, one row
// per model with the verdict of its latest audit.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { useProject } from '../../../../client/project.ts';
import { useTRPC } from '../../../../client/trpc.ts';
import { integrityOf } from '../../../../components/modelStatus.ts';
import { Empty, ErrorBox, Loading, PageHeader, StatusBadge, formatDate, formatPercent, type Integrity } from '../../../../components/ui.tsx';

const STATUSES: readonly Integrity[] = ['intact', 'tampered', 'unknown'];

const STATUS_HINT: Record<Integrity, string> = {
  intact: 'latest audit found every trigger answer unchanged',
  tampered: 'latest audit found changed answers',
  unknown: 'never audited',
};

export default function ModelsPage() {
  const trpc = useTRPC();
  const { projectId, canWrite } = useProject();
  const models = useQuery(trpc.models.list.queryOptions({ projectId }, { refetchInterval: 15_000 }));
  const [filter, setFilter] = useState<Integrity | null>(null);

  const rows = (models.data ?? []).map((model) => ({ model, status: integrityOf(model.latestAudit) }));
  const counts: Record<Integrity, number> = { intact: 0, tampered: 0, unknown: 0 };
  for (const row of rows) counts[row.status] += 1;
  const shown = filter ? rows.filter((r) => r.status === filter) : rows;

  return (
    <>
      <PageHeader
        title="Models"
        actions={
          canWrite ? (
            <Link href={`/p/${projectId}/models/new`} className="button primary" data-testid="register-model">
              Register model
            </Link>
          ) : null
        }
      >
        Every registered model with the verdict of its latest audit.
      </PageHeader>
      <ErrorBox error={models.error} />
      {models.isPending ? <Loading what="models" /> : null}
      {models.data && models.data.length === 0 ? (
        <Empty>
          <p>No models yet.</p>
          {canWrite ? (
            <p>
              <Link href={`/p/${projectId}/models/new`}>Register your first model</Link> to seal it with a trigger set.
            </p>
          ) : (
            <p>A member of this project has to register one.</p>
          )}
        </Empty>
      ) : null}
      {rows.length > 0 ? (
        <>
          <div className="status-summary" data-testid="model-summary" role="group" aria-label="Models by status">
            {STATUSES.map((status) => (
              <button
                key={status}
                type="button"
                className={`status-tile status-tile-${status}${filter === status ? ' selected' : ''}`}
                data-testid={`summary-${status}`}
                data-count={counts[status]}
                aria-pressed={filter === status}
                title={`${STATUS_HINT[status]} — click to ${filter === status ? 'show all' : 'show only these'}`}
                onClick={() => setFilter((f) => (f === status ? null : status))}
              >
                <span className="status-tile-count">{counts[status]}</span>
                <span className="status-tile-label">{status}</span>
              </button>
            ))}
          </div>
          {filter ? (
            <p className="small muted">
              Showing {shown.length} {filter} model{shown.length === 1 ? '' : 's'}.{' '}
              <button type="button" className="link" onClick={() => setFilter(null)}>
                Show all
              </button>
            </p>
          ) : null}
          <table data-testid="models-table">
            <thead>
              <tr>
                <th>Status</th>
                <th>Name</th>
                <th>Adapter</th>
                <th className="num">ChangeRate</th>
                <th>Last audited</th>
                <th className="num">Trigger sets</th>
              </tr>
            </thead>
            <tbody>
              {shown.map(({ model, status }) => (
                <tr key={model.id} className={`model-row-${status}`} data-testid="model-row" data-model-id={model.id} data-status={status}>
                  <td data-testid="model-status" data-status={status}>
                    <StatusBadge status={status} />
                  </td>
                  <td>
                    <Link href={`/p/${projectId}/models/${model.id}`} data-testid="model-link">
                      <strong>{model.name}</strong>
                    </Link>
                  </td>
                  <td>
                    <span className="pill">{model.adapterKind}</span>
                  </td>
                  <td className="num" data-testid="model-change-rate">
                    {formatPercent(model.latestAudit?.changeRate)}
                  </td>
                  <td>{model.latestAudit ? formatDate(model.latestAudit.createdAt) : <span className="muted">never</span>}</td>
                  <td className="num">{model.triggerSetCount}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </>
  );
}
