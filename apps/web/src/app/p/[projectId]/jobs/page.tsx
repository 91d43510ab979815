'use client';
// Live list of the project's background jobs (fragilize, audit, evaluate): polls every second
// while any is queued or running, with cancel for live jobs and retry for failed/cancelled ones.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { Fragment, useEffect, useState } from 'react';
import { useProject } from '../../../../client/project.ts';
import { useTRPC } from '../../../../client/trpc.ts';
import { QueryError } from '../../../../components/ops/QueryError.tsx';
import { formatSpan, formatTimeNear, shortId, type Outputs } from '../../../../components/ops/types.ts';
import { Empty, ErrorBox, Loading, PageHeader, ProgressBar, formatDate } from '../../../../components/ui.tsx';

type Job = Outputs['jobs']['list'][number];
type JobStatus = Job['status'];
type JobType = Job['type'];

const STATUSES: readonly JobStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];
const TYPES: readonly JobType[] = ['fragilize', 'audit', 'evaluate', 'verify'];
const LIVE: ReadonlySet<JobStatus> = new Set(['queued', 'running']);
const FAST_MS = 1000;
const SLOW_MS = 10_000;

/** A job's result is free-form JSON; these are the ids the worker writes into it. */
function resultField(job: Job, field: 'auditId' | 'triggerSetId'): string | undefined {
  const result = job.result;
  if (result && typeof result === 'object' && !Array.isArray(result)) {
    const value = (result as Record<string, unknown>)[field];
    if (typeof value === 'string') return value;
  }
  return undefined;
}

export default function JobsPage() {
  const trpc = useTRPC();
  const { projectId, role, canWrite } = useProject();
  const [status, setStatus] = useState<JobStatus | 'live' | ''>('');
  const [type, setType] = useState<JobType | ''>('');
  const [modelId, setModelId] = useState('');
  const jobs = useQuery({
    ...trpc.jobs.list.queryOptions({
      projectId,
      limit: 200,
      ...(status === 'live' ? { status: ['queued', 'running'] as JobStatus[] } : status ? { status } : {}),
      ...(type ? { type } : {}),
      ...(modelId ? { modelId } : {}),
    }),
    refetchInterval: (query) => (query.state.data?.some((j) => LIVE.has(j.status) || (j.status === 'cancelled' && !j.finishedAt)) ? FAST_MS : SLOW_MS),
    refetchIntervalInBackground: false,
  });
  const models = useQuery(trpc.models.list.queryOptions({ projectId }));
  const shown = jobs.data ?? [];
  const live = (jobs.data ?? []).filter((j) => LIVE.has(j.status)).length;
  const now = useNow(live > 0 ? 1000 : 30_000);
  const filtered = Boolean(status || type || modelId);
  return (
    <>
      <PageHeader title="Jobs">
        Fragilization, audits and evaluation studies run by the worker.{' '}
        <span data-testid="jobs-live-count">{live > 0 ? `${live} live, refreshing every second.` : 'Nothing running.'}</span>
      </PageHeader>
      <div className="row filters" role="group" aria-label="Filters">
        <label>
          Status
          <select aria-label="Status filter" data-testid="jobs-filter-status" value={status} onChange={(e) => setStatus(e.target.value as JobStatus | 'live' | '')}>
            <option value="">all</option>
            <option value="live">queued or running</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Type
          <select aria-label="Type filter" data-testid="jobs-filter-type" value={type} onChange={(e) => setType(e.target.value as JobType | '')}>
            <option value="">all</option>
            {TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          Model
          <select aria-label="Model filter" data-testid="jobs-filter-model" value={modelId} onChange={(e) => setModelId(e.target.value)}>
            <option value="">all</option>
            {(models.data ?? []).map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
        {jobs.isFetching ? <span className="muted small align-end">refreshing…</span> : null}
      </div>
      {jobs.isPending ? (
        <Loading what="jobs" />
      ) : jobs.isError ? (
        <QueryError error={jobs.error} what="jobs" role={role} />
      ) : shown.length === 0 ? (
        <Empty>
          {filtered
            ? 'No jobs match these filters.'
            : 'No jobs yet. Making a trigger set or running an audit from a model page queues one.'}
        </Empty>
      ) : (
        <div className="table-scroll">
          <table data-testid="jobs-table">
            <thead>
              <tr>
                <th>Job</th>
                <th>Model</th>
                <th>Status</th>
                <th>Progress</th>
                <th>When</th>
                <th className="num">Duration</th>
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {shown.map((job) => (
                <JobRow key={job.id} job={job} canWrite={canWrite} now={now} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {jobs.data && jobs.data.length >= 200 ? <p className="muted small">Showing the latest 200 jobs.</p> : null}
    </>
  );
}

/** The current time, ticking, so running durations move between polls. */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

function JobRow({ job, canWrite, now }: { job: Job; canWrite: boolean; now: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { projectId } = useProject();
  const [open, setOpen] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.jobs.list.queryKey() });
  const cancel = useMutation(trpc.jobs.cancel.mutationOptions({ onSettled: refresh }));
  const retry = useMutation(trpc.jobs.retry.mutationOptions({ onSettled: refresh }));
  const stopping = job.status === 'cancelled' && !job.finishedAt;
  const canCancel = LIVE.has(job.status);
  const canRetry = job.retryable;
  const auditId = resultField(job, 'auditId');
  const triggerSetId = job.triggerSetId ?? resultField(job, 'triggerSetId');
  const base = `/p/${projectId}`;
  const hasError = Boolean(job.error);
  return (
    <Fragment>
      <tr data-testid="job-row" data-job-id={job.id} data-status={job.status} data-type={job.type} className={`job-${job.status}`}>
        <td className="nowrap">
          <div>
            <span className="pill">{job.type}</span> <code className="muted small">{shortId(job.id)}</code>
          </div>
          {auditId ? (
            <Link className="small" href={`${base}/audits/${auditId}`}>
              audit result →
            </Link>
          ) : triggerSetId ? (
            <Link className="small" href={`${base}/trigger-sets/${triggerSetId}`}>
              trigger set →
            </Link>
          ) : null}
        </td>
        <td>{job.modelId ? <Link href={`${base}/models/${job.modelId}`}>{job.modelName ?? shortId(job.modelId)}</Link> : <span className="muted">—</span>}</td>
        <td>
          <span className={`job-status job-status-${job.status}`} data-testid="job-status">
            {stopping ? 'stopping' : job.status}
          </span>
          {job.status === 'failed' && job.error ? (
            <div className="small error-line" title={job.error}>
              {job.error.split('\n')[0]}
            </div>
          ) : null}
        </td>
        <td className="progress-cell">
          <ProgressBar value={job.progress} label={`${job.type} progress`} />
          <div className="muted small" data-testid="job-stage">
            {job.stage ?? (job.status === 'queued' ? 'waiting for the worker' : '')}
          </div>
        </td>
        <td className="nowrap">
          <div data-testid="job-created" title="created">
            {formatDate(job.createdAt)}
          </div>
          <div className="muted small" data-testid="job-times">
            {job.startedAt ? <>ran {formatTimeNear(job.startedAt, job.createdAt)}</> : 'not started'}
            {job.finishedAt ? <> → {formatTimeNear(job.finishedAt, job.startedAt ?? job.createdAt)}</> : null}
          </div>
        </td>
        <td className="num nowrap" data-testid="job-duration">
          {formatSpan(job.startedAt, job.finishedAt, now)}
        </td>
        <td className="actions-cell">
          {hasError ? (
            <button type="button" className="link" aria-expanded={open} data-testid="job-toggle-error" onClick={() => setOpen(!open)}>
              {open ? 'Hide error' : 'Show error'}
            </button>
          ) : null}
          {canWrite && canCancel ? (
            <button type="button" className="danger" data-testid="job-cancel" disabled={cancel.isPending} onClick={() => cancel.mutate({ projectId, jobId: job.id })}>
              {cancel.isPending ? 'Cancelling…' : 'Cancel'}
            </button>
          ) : null}
          {canWrite && canRetry ? (
            <button type="button" data-testid="job-retry" disabled={retry.isPending} onClick={() => retry.mutate({ projectId, jobId: job.id })}>
              {retry.isPending ? 'Retrying…' : 'Retry'}
            </button>
          ) : null}
          <ErrorBox error={cancel.error ?? retry.error} />
          {cancel.data && !cancel.data.cancelled ? <div className="muted small">already finished</div> : null}
          {retry.data ? (
            <div className="muted small" data-testid="job-retried">
              queued again as <code>{shortId(retry.data.jobId)}</code>
            </div>
          ) : null}
        </td>
      </tr>
      {hasError && open ? (
        <tr className="job-error-row">
          <td colSpan={7}>
            <div className="small muted">{job.status === 'failed' ? 'The job failed:' : 'Last attempt failed (it will be retried):'}</div>
            <pre className="error-log" data-testid="job-error">
              {job.error}
            </pre>
          </td>
        </tr>
      ) : null}
    </Fragment>
  );
}
