'use client';
// "Run audit now" on a model page: pick a trigger set (this model's first, then the other
// models' sets of the project, e.g. to check a deployed copy against the original's seal),
// queue the audit, then follow it every second until the verdict is in.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTRPC } from '../client/trpc.ts';
import { formatDuration } from './modelStatus.ts';
import { ErrorBox, ProgressBar, StatusBadge, formatPercent } from './ui.tsx';

export interface AuditableSet {
  readonly id: string;
  readonly name: string;
  readonly sampleCount: number;
  readonly modelId: string;
  readonly createdAt: string;
}

type Mode = 'label' | 'probability';

export function AuditNowPanel({
  projectId,
  modelId,
  sets,
  modelNames,
}: {
  projectId: string;
  modelId: string;
  /** Every trigger set of the project. */
  sets: readonly AuditableSet[];
  modelNames: ReadonlyMap<string, string>;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [chosen, setChosen] = useState<string>('');
  const [mode, setMode] = useState<Mode>('label');
  const [started, setStarted] = useState<{ jobId: string; sampleCount: number | undefined } | null>(null);
  const triggerSetId = chosen || defaultTriggerSet(sets, modelId);
  const run = useMutation(
    trpc.audits.run.mutationOptions({
      onSuccess: ({ jobId }, input) => {
        setStarted({ jobId, sampleCount: sets.find((s) => s.id === input.triggerSetId)?.sampleCount });
        void queryClient.invalidateQueries(trpc.jobs.list.pathFilter());
      },
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!triggerSetId) return;
    setStarted(null);
    run.mutate({ projectId, modelId, triggerSetId, mode });
  };
  if (sets.length === 0) {
    return <p className="muted small">Make a trigger set first (below): an audit asks the model for its answers to the set&apos;s fragile samples.</p>;
  }
  return (
    <div className="stack" data-testid="audit-now">
      <form className="row" onSubmit={submit}>
        <label className="inline">
          Trigger set
          <select name="triggerSetId" value={triggerSetId} onChange={(e) => setChosen(e.target.value)} data-testid="audit-trigger-set">
            <TriggerSetOptions sets={sets} modelId={modelId} modelNames={modelNames} />
          </select>
        </label>
        <label className="inline">
          Mode
          <select name="mode" value={mode} onChange={(e) => setMode(e.target.value as Mode)} title="label: compare top-1 labels; probability: also compare the probability vectors">
            <option value="label">label</option>
            <option value="probability">probability</option>
          </select>
        </label>
        <button type="submit" className="primary" disabled={run.isPending || !triggerSetId} data-testid="run-audit">
          {run.isPending ? 'Queuing…' : 'Run audit now'}
        </button>
      </form>
      <ErrorBox error={run.error} />
      {started ? <AuditJobResult key={started.jobId} projectId={projectId} jobId={started.jobId} sampleCount={started.sampleCount} /> : null}
    </div>
  );
}

/** A select's options: the model's own trigger sets first, then the project's other sets, each named with its model. */
export function TriggerSetOptions({
  sets,
  modelId,
  modelNames,
  showCount = true,
}: {
  sets: readonly { id: string; name: string; modelId: string; sampleCount?: number }[];
  modelId: string;
  modelNames: ReadonlyMap<string, string>;
  showCount?: boolean;
}) {
  const own = sets.filter((s) => s.modelId === modelId);
  const others = sets.filter((s) => s.modelId !== modelId);
  const count = (s: { sampleCount?: number }) => (showCount && s.sampleCount !== undefined ? ` (${s.sampleCount} samples)` : '');
  return (
    <>
      {own.length > 0 ? (
        <optgroup label="Made for this model">
          {own.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
              {count(s)}
            </option>
          ))}
        </optgroup>
      ) : null}
      {others.length > 0 ? (
        <optgroup label="Other models of this project (e.g. the original a copy was deployed from)">
          {others.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name} — of {modelNames.get(s.modelId) ?? 'another model'}
              {count(s)}
            </option>
          ))}
        </optgroup>
      ) : null}
    </>
  );
}

/** The set a select starts on: the model's newest own set, else the project's newest. */
export function defaultTriggerSet(sets: readonly { id: string; modelId: string }[], modelId: string): string {
  return sets.find((s) => s.modelId === modelId)?.id ?? sets[0]?.id ?? '';
}

function AuditJobResult({ projectId, jobId, sampleCount }: { projectId: string; jobId: string; sampleCount: number | undefined }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const state = useQuery(trpc.audits.byJob.queryOptions({ projectId, jobId }, { refetchInterval: (q) => (q.state.data?.job.finishedAt ? false : 1000) }));
  const finished = Boolean(state.data?.job.finishedAt);
  const refreshed = useRef(false);
  useEffect(() => {
    if (finished && !refreshed.current) {
      refreshed.current = true;
      // The verdict changes the model's status, chart and audit list.
      void queryClient.invalidateQueries(trpc.audits.pathFilter());
      void queryClient.invalidateQueries(trpc.models.pathFilter());
      void queryClient.invalidateQueries(trpc.jobs.list.pathFilter());
    }
  }, [finished, queryClient, trpc]);

  if (!state.data) {
    return (
      <div className="card" data-testid="audit-result" data-status="loading">
        {state.isError ? <ErrorBox error={state.error} /> : <span className="muted">Waiting for the audit…</span>}
      </div>
    );
  }
  const { job, audit } = state.data;
  if (!finished) {
    return (
      <div className="card stack" data-testid="audit-result" data-status={job.status}>
        <ProgressBar value={job.progress} label="audit progress" />
        <span className="small muted">{job.status === 'queued' ? 'waiting for a worker…' : (job.stage ?? 'running')}</span>
      </div>
    );
  }
  if (!audit) {
    return (
      <div className="card stack" data-testid="audit-result" data-status={job.status}>
        <strong>Audit {job.status}</strong>
        <ErrorBox error={job.error ?? (job.status === 'cancelled' ? 'the audit was cancelled' : 'the audit wrote no result')} />
      </div>
    );
  }
  const status = audit.intact ? 'intact' : 'tampered';
  const total = sampleCount ?? null;
  return (
    <div className={`card audit-verdict audit-verdict-${status}`} data-testid="audit-result" data-status={status}>
      <div className="row">
        <StatusBadge status={status} />
        <strong className="verdict-text">{audit.intact ? 'Intact: every trigger answer is unchanged.' : 'Tampered: the model answers differently than when it was sealed.'}</strong>
      </div>
      <dl className="kv">
        <dt>ChangeRate</dt>
        <dd data-testid="audit-change-rate">{formatPercent(audit.changeRate)}</dd>
        <dt>Changed samples</dt>
        <dd>
          {audit.changedIndices.length}
          {total !== null ? ` of ${total}` : ''}
        </dd>
        <dt>Mode</dt>
        <dd>{audit.mode}</dd>
        <dt>Queries</dt>
        <dd>{audit.queries}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(audit.durationMs)}</dd>
      </dl>
      <Link href={`/p/${projectId}/audits/${audit.id}`}>Audit details →</Link>
    </div>
  );
}
