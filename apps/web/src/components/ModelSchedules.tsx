'use client';
// Audit schedules of one model: cron expression, trigger set and mode; add, pause, delete.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { useTRPC } from '../client/trpc.ts';
import { TriggerSetOptions, defaultTriggerSet } from './AuditNowPanel.tsx';
import { Empty, ErrorBox, Loading, formatDate } from './ui.tsx';
import { ConfirmButton } from './ops/ConfirmButton.tsx';

const CRON_EXAMPLES = [
  { cron: '*/15 * * * *', label: 'every 15 minutes' },
  { cron: '0 * * * *', label: 'every hour' },
  { cron: '0 3 * * *', label: 'every day at 03:00' },
  { cron: '0 3 * * 1', label: 'every Monday at 03:00' },
] as const;

/** A few words for the common shapes; the expression itself is always shown beside it. */
function describeCron(cron: string): string | null {
  const known = CRON_EXAMPLES.find((c) => c.cron === cron.trim());
  if (known) return known.label;
  const [minute, hour, dom, month, dow] = cron.trim().split(/\s+/);
  const every = /^\*\/(\d+)$/.exec(minute ?? '');
  if (every && hour === '*' && dom === '*' && month === '*' && dow === '*') return `every ${every[1]} minutes`;
  if (/^\d+$/.test(minute ?? '') && /^\d+$/.test(hour ?? '') && dom === '*' && month === '*' && dow === '*') {
    return `every day at ${(hour ?? '').padStart(2, '0')}:${(minute ?? '').padStart(2, '0')}`;
  }
  return null;
}

type Mode = 'label' | 'probability';

type SetRef = { id: string; name: string; modelId: string };

export function ModelSchedules({
  projectId,
  modelId,
  sets,
  modelNames,
  canWrite,
}: {
  projectId: string;
  modelId: string;
  /** Every trigger set of the project: a set made on the shipped model may watch a deployed copy. */
  sets: readonly SetRef[];
  modelNames: ReadonlyMap<string, string>;
  canWrite: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const schedules = useQuery(trpc.schedules.list.queryOptions({ projectId }));
  const mine = (schedules.data ?? []).filter((s) => s.modelId === modelId);
  const setName = new Map(sets.map((s) => [s.id, s.name]));
  const refresh = () => queryClient.invalidateQueries(trpc.schedules.pathFilter());
  const update = useMutation(trpc.schedules.update.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.schedules.delete.mutationOptions({ onSuccess: refresh }));

  return (
    <div className="stack" data-testid="model-schedules">
      <ErrorBox error={schedules.error} />
      {schedules.isPending ? <Loading what="schedules" /> : null}
      {schedules.data && mine.length === 0 ? <Empty>No schedules: this model is audited only when someone (or CI) asks.</Empty> : null}
      {mine.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th>Cron</th>
              <th>Trigger set</th>
              <th>Mode</th>
              <th>Enabled</th>
              <th>Last run</th>
              {canWrite ? <th /> : null}
            </tr>
          </thead>
          <tbody>
            {mine.map((s) => (
              <tr key={s.id} data-testid="schedule-row" data-schedule-id={s.id}>
                <td>
                  <code>{s.cron}</code>
                  {describeCron(s.cron) ? <span className="small muted"> {describeCron(s.cron)}</span> : null}
                </td>
                <td>
                  {setName.has(s.triggerSetId) ? (
                    <Link href={`/p/${projectId}/trigger-sets/${s.triggerSetId}`}>{setName.get(s.triggerSetId)}</Link>
                  ) : (
                    <span className="muted">{s.triggerSetId.slice(0, 8)}</span>
                  )}
                </td>
                <td>{s.mode}</td>
                <td>
                  <label className="inline">
                    <input
                      type="checkbox"
                      checked={s.enabled}
                      disabled={!canWrite || (update.isPending && update.variables?.scheduleId === s.id)}
                      onChange={(e) => update.mutate({ projectId, scheduleId: s.id, enabled: e.target.checked })}
                      aria-label={s.enabled ? 'Pause schedule' : 'Enable schedule'}
                    />
                    {s.enabled ? 'on' : 'paused'}
                  </label>
                </td>
                <td>{formatDate(s.lastRunAt)}</td>
                {canWrite ? (
                  <td className="num">
                    <ConfirmButton
                      label="Delete"
                      question={`Delete the schedule "${s.cron}"?`}
                      pending={remove.isPending && remove.variables?.scheduleId === s.id}
                      onConfirm={() => remove.mutate({ projectId, scheduleId: s.id })}
                      testId="schedule-delete"
                    />
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <ErrorBox error={update.error ?? remove.error} />
      {canWrite ? <NewSchedule projectId={projectId} modelId={modelId} sets={sets} modelNames={modelNames} onCreated={refresh} /> : null}
    </div>
  );
}

function NewSchedule({
  projectId,
  modelId,
  sets,
  modelNames,
  onCreated,
}: {
  projectId: string;
  modelId: string;
  sets: readonly SetRef[];
  modelNames: ReadonlyMap<string, string>;
  onCreated: () => unknown;
}) {
  const trpc = useTRPC();
  const [cron, setCron] = useState('0 * * * *');
  const [chosen, setChosen] = useState('');
  const [mode, setMode] = useState<Mode>('label');
  const create = useMutation(trpc.schedules.create.mutationOptions({ onSuccess: onCreated }));
  const triggerSetId = chosen || defaultTriggerSet(sets, modelId);
  if (sets.length === 0) return <p className="small muted">A schedule needs a trigger set; make one first.</p>;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ projectId, modelId, triggerSetId, cron: cron.trim(), mode });
  };
  const hint = describeCron(cron);
  return (
    <form className="row schedule-form" onSubmit={submit} data-testid="schedule-form">
      <label>
        Cron (minute hour day month weekday)
        <input name="cron" list="cron-examples" required value={cron} onChange={(e) => setCron(e.target.value)} className="mono" />
        <datalist id="cron-examples">
          {CRON_EXAMPLES.map((c) => (
            <option key={c.cron} value={c.cron}>
              {c.label}
            </option>
          ))}
        </datalist>
        <span className="field-hint">{hint ?? ' '}</span>
      </label>
      <label>
        Trigger set
        <select name="scheduleTriggerSet" value={triggerSetId} onChange={(e) => setChosen(e.target.value)}>
          <TriggerSetOptions sets={sets} modelId={modelId} modelNames={modelNames} showCount={false} />
        </select>
        <span className="field-hint"> </span>
      </label>
      <label>
        Mode
        <select name="scheduleMode" value={mode} onChange={(e) => setMode(e.target.value as Mode)}>
          <option value="label">label</option>
          <option value="probability">probability</option>
        </select>
        <span className="field-hint"> </span>
      </label>
      <button type="submit" disabled={create.isPending || !triggerSetId} data-testid="schedule-create">
        {create.isPending ? 'Adding…' : 'Add schedule'}
      </button>
      <div className="grow-full">
        <ErrorBox error={create.error} />
      </div>
    </form>
  );
}
