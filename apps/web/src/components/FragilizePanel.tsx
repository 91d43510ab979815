'use client';
// "New trigger set" on a model page: the fragilize form, then the live progress of each
// fragilize job of this model (polled every second) with cancel, retry and a link to the set.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTRPC } from '../client/trpc.ts';
import { ErrorBox } from './ui.tsx';
import { FragilizeProgress } from './FragilizeProgress.tsx';
import { SampleUpload } from './SampleUpload.tsx';

const DATASETS = ['mnist', 'fashion-mnist'] as const;
type Source = 'dataset' | 'samples';
const PRESETS = [
  { value: 'default', label: 'default — 6- to 8-class tie on the samples cheapest to tie: flips under ~85 % of changes, PSNR ≈ 25-28 dB' },
  { value: 'boundary', label: 'boundary — adaptive steps to the nearest two-class boundary (fastest, PSNR ≈ 28 dB, flips ~50 %)' },
  { value: 'junction', label: 'junction — 10-class tie: most sensitive, lowest image quality' },
  { value: 'paper', label: 'paper — Algorithm 1 as published (10,000 fixed iterations, slow)' },
] as const;
type Preset = (typeof PRESETS)[number]['value'];
const GRADIENTS = ['exact', 'nes', 'spsa'] as const;
type Gradient = (typeof GRADIENTS)[number];

export function FragilizePanel({ projectId, modelId, canWrite }: { projectId: string; modelId: string; canWrite: boolean }) {
  const trpc = useTRPC();
  // Jobs started from this page stay on screen when they finish (with the link to the new set).
  const [started, setStarted] = useState<string[]>([]);
  const [dismissed, setDismissed] = useState<string[]>([]);
  const jobs = useQuery(
    trpc.jobs.list.queryOptions({ projectId, modelId, limit: 30 }, { refetchInterval: (q) => ((q.state.data ?? []).some((j) => !j.finishedAt) ? 3000 : 15_000) }),
  );
  const running = (jobs.data ?? []).filter((j) => j.type === 'fragilize' && !j.finishedAt).map((j) => j.id);
  const shown = [...started, ...running.filter((id) => !started.includes(id))].filter((id) => !dismissed.includes(id));

  return (
    <section className="stack fragilize-panel" data-testid="fragilize-panel">
      {canWrite ? <FragilizeForm projectId={projectId} modelId={modelId} onStarted={(jobId) => setStarted((s) => [jobId, ...s])} /> : null}
      {shown.map((jobId) => (
        <FragilizeProgress
          key={jobId}
          projectId={projectId}
          jobId={jobId}
          canWrite={canWrite}
          onRetried={(next) => setStarted((s) => [next, ...s.filter((id) => id !== jobId)])}
          onDismiss={() => setDismissed((d) => [...d, jobId])}
        />
      ))}
    </section>
  );
}

function FragilizeForm({ projectId, modelId, onStarted }: { projectId: string; modelId: string; onStarted: (jobId: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [count, setCount] = useState('100');
  const [source, setSource] = useState<Source>('dataset');
  const [dataset, setDataset] = useState<string>('mnist');
  const [sampleSetId, setSampleSetId] = useState('');
  const sampleSets = useQuery(trpc.sampleSets.list.queryOptions({ projectId }, { enabled: open && source === 'samples' }));
  const chosenSet = sampleSets.data?.find((set) => set.id === sampleSetId) ?? (sampleSetId === '' ? sampleSets.data?.[0] : undefined);
  const [preset, setPreset] = useState<Preset>('default');
  const [seed, setSeed] = useState('0');
  const [gradient, setGradient] = useState<Gradient | ''>('');
  const create = useMutation(
    trpc.triggerSets.create.mutationOptions({
      onSuccess: async ({ jobId }) => {
        onStarted(jobId);
        setName('');
        setOpen(false);
        await queryClient.invalidateQueries(trpc.jobs.pathFilter());
      },
    }),
  );
  const from = source === 'samples' ? (chosenSet?.name ?? 'samples') : dataset || 'dataset';
  const suggested = `${from}-${preset}-${count || 0}${seed && seed !== '0' ? `-s${seed}` : ''}`;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (source === 'samples' && !chosenSet) return;
    create.mutate({
      projectId,
      modelId,
      name: name.trim() || suggested,
      ...(source === 'samples' && chosenSet ? { sampleSetId: chosenSet.id } : { dataset: dataset.trim() }),
      count: Number(count),
      preset,
      seed: Number(seed),
      ...(gradient ? { gradient } : {}),
    });
  };
  if (!open) {
    return (
      <div>
        <button type="button" className="primary" onClick={() => setOpen(true)} data-testid="new-trigger-set">
          New trigger set
        </button>
      </div>
    );
  }
  return (
    <form className="card stack" onSubmit={submit} data-testid="fragilize-form">
      <h3>New trigger set</h3>
      <p className="small muted">
        Picks <em>count</em> test samples the model classifies correctly and moves each onto a decision boundary, so that any change to the weights flips
        some of their labels.
      </p>
      <div className="form-grid">
        <label>
          Samples (count)
          <input name="count" type="number" min={1} max={10000} step={1} required value={count} onChange={(e) => setCount(e.target.value)} />
        </label>
        <label>
          Samples from
          <select name="source" value={source} onChange={(e) => setSource(e.target.value as Source)} data-testid="fragilize-source">
            <option value="dataset">Dataset</option>
            <option value="samples">Uploaded samples</option>
          </select>
        </label>
        {source === 'dataset' ? (
          <label>
            Dataset
            <input name="dataset" list="fragilize-datasets" required value={dataset} onChange={(e) => setDataset(e.target.value)} />
            <datalist id="fragilize-datasets">
              {DATASETS.map((d) => (
                <option key={d} value={d} />
              ))}
            </datalist>
            <span className="field-hint">mnist, fashion-mnist, or a spec such as idx:… / folder:DIR</span>
          </label>
        ) : (
          <label>
            Sample set
            <select
              name="sampleSetId"
              required
              value={chosenSet?.id ?? ''}
              onChange={(e) => setSampleSetId(e.target.value)}
              disabled={sampleSets.isPending}
              data-testid="fragilize-sample-set"
            >
              {sampleSets.isPending ? <option value="">Loading…</option> : null}
              {sampleSets.data?.length === 0 ? <option value="">No sample sets yet: upload one below</option> : null}
              {(sampleSets.data ?? []).map((set) => (
                <option key={set.id} value={set.id}>
                  {set.name} — {set.sampleCount} images, {set.classNames.length} classes
                </option>
              ))}
            </select>
            <span className="field-hint">{chosenSet ? `classes: ${chosenSet.classNames.join(', ')}` : 'images you uploaded to this project'}</span>
          </label>
        )}
        <label>
          Preset
          <select name="preset" value={preset} onChange={(e) => setPreset(e.target.value as Preset)}>
            {PRESETS.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Seed
          <input name="seed" type="number" min={0} max={4294967295} step={1} required value={seed} onChange={(e) => setSeed(e.target.value)} />
        </label>
        <label>
          Gradient
          <select name="gradient" value={gradient} onChange={(e) => setGradient(e.target.value as Gradient | '')}>
            <option value="">automatic (exact when the model has it, else NES)</option>
            {GRADIENTS.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        </label>
        <label>
          Name
          <input name="triggerSetName" maxLength={200} value={name} placeholder={suggested} onChange={(e) => setName(e.target.value)} />
        </label>
      </div>
      {source === 'samples' ? <SampleUpload projectId={projectId} onUploaded={(id) => setSampleSetId(id)} /> : null}
      <ErrorBox error={create.error} />
      <div className="row">
        <button type="submit" className="primary" disabled={create.isPending || (source === 'samples' && !chosenSet)} data-testid="fragilize-submit">
          {create.isPending ? 'Starting…' : 'Fragilize'}
        </button>
        <button type="button" onClick={() => setOpen(false)} disabled={create.isPending}>
          Cancel
        </button>
      </div>
    </form>
  );
}
