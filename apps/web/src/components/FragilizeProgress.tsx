'use client';
// One fragilize job, live: status, stage and progress while it runs; its trigger set, error or retry after.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useRef } from 'react';
import { useTRPC } from '../client/trpc.ts';
import { asRecord, formatDuration } from './modelStatus.ts';
import { ErrorBox, ProgressBar, formatDate } from './ui.tsx';

export function FragilizeProgress({
  projectId,
  jobId,
  canWrite,
  onRetried,
  onDismiss,
}: {
  projectId: string;
  jobId: string;
  canWrite: boolean;
  onRetried: (jobId: string) => void;
  onDismiss: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const job = useQuery(trpc.jobs.get.queryOptions({ projectId, jobId }, { refetchInterval: (q) => (q.state.data?.finishedAt ? false : 1000) }));
  const cancel = useMutation(trpc.jobs.cancel.mutationOptions({ onSuccess: () => queryClient.invalidateQueries(trpc.jobs.get.queryFilter({ projectId, jobId })) }));
  const retry = useMutation(
    trpc.jobs.retry.mutationOptions({
      onSuccess: async (result) => {
        await queryClient.invalidateQueries(trpc.jobs.pathFilter());
        onRetried(result.jobId);
      },
    }),
  );
  const data = job.data;
  const finished = Boolean(data?.finishedAt);
  // When the set is written, the model's lists change: refresh them once.
  const announced = useRef(false);
  useEffect(() => {
    if (finished && !announced.current) {
      announced.current = true;
      void queryClient.invalidateQueries(trpc.triggerSets.pathFilter());
      void queryClient.invalidateQueries(trpc.models.pathFilter());
      void queryClient.invalidateQueries(trpc.jobs.list.pathFilter());
    }
  }, [finished, queryClient, trpc]);

  if (!data) {
    return (
      <div className="card job-card" data-testid="fragilize-progress" data-status="loading">
        {job.isError ? <ErrorBox error={job.error} /> : <span className="muted">Loading job…</span>}
      </div>
    );
  }
  const input = asRecord(data.input);
  const result = asRecord(data.result);
  const title = typeof input.name === 'string' ? input.name : 'trigger set';
  const from = typeof input.sampleSetName === 'string' ? `uploaded samples “${input.sampleSetName}”` : typeof input.dataset === 'string' ? input.dataset : null;
  const describe = [input.count !== undefined ? `${String(input.count)} samples` : null, from, typeof input.preset === 'string' ? `${input.preset} preset` : null]
    .filter(Boolean)
    .join(' · ');
  return (
    <div className={`card job-card job-${data.status}`} data-testid="fragilize-progress" data-status={data.status} data-job-id={data.id}>
      <div className="row">
        <strong className="grow">
          Fragilizing “{title}” <span className="small muted">{describe}</span>
        </strong>
        <span className={`pill job-status job-status-${data.status}`} data-testid="job-status">
          {data.status}
        </span>
      </div>
      {!finished ? (
        <>
          <ProgressBar value={data.progress} label="fragilize progress" />
          <div className="row small">
            <span className="grow muted" data-testid="job-stage">
              {data.status === 'queued' ? 'waiting for a worker…' : (data.stage ?? 'starting')}
              {data.status === 'cancelled' ? ' — cancelling…' : ''}
            </span>
            {canWrite && data.status !== 'cancelled' ? (
              <button type="button" className="danger" onClick={() => cancel.mutate({ projectId, jobId })} disabled={cancel.isPending} data-testid="job-cancel">
                {cancel.isPending ? 'Cancelling…' : 'Cancel'}
              </button>
            ) : null}
          </div>
        </>
      ) : null}
      {data.status === 'succeeded' && data.triggerSetId ? (
        <div className="row" data-testid="fragilize-result">
          <span className="grow">
            Done{typeof result.samples === 'number' ? `: ${result.samples} samples` : ''}
            {typeof result.converged === 'number' ? `, ${result.converged} converged` : ''}
            {typeof result.durationMs === 'number' ? ` in ${formatDuration(result.durationMs)}` : ''}.
          </span>
          <Link href={`/p/${projectId}/trigger-sets/${data.triggerSetId}`} data-testid="fragilize-open-set">
            Open trigger set →
          </Link>
        </div>
      ) : null}
      {data.status === 'failed' ? <ErrorBox error={data.error ?? 'the job failed'} /> : null}
      {data.status === 'cancelled' && finished ? <p className="muted small">Cancelled {formatDate(data.finishedAt)}.</p> : null}
      {finished ? (
        <div className="row small">
          {canWrite && (data.status === 'failed' || data.status === 'cancelled') ? (
            <button type="button" onClick={() => retry.mutate({ projectId, jobId })} disabled={retry.isPending} data-testid="job-retry">
              {retry.isPending ? 'Retrying…' : 'Retry'}
            </button>
          ) : null}
          <button type="button" className="link" onClick={onDismiss}>
            Dismiss
          </button>
        </div>
      ) : null}
      <ErrorBox error={cancel.error ?? retry.error} />
    </div>
  );
}
