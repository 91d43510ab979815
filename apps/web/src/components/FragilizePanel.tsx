'use client';
// "New trigger set" on a model page: the fragilize form, then the live progress of each
// fragilize job of this model (polled every second) with cancel, retry and a link to the set.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTRPC } from '../client/trpc.ts';
import { asRecord, formatDuration } from './modelStatus.ts';
import { ErrorBox, ProgressBar, formatDate } from './ui.tsx';

const DATASETS = ['mnist', 'fashion-mnist'] as const;
type Source = 'dataset' | 'samples';
/** What sampleSets.upload takes: `<class>/<image>` paths to PNG or JPEG images. */
const SAMPLE_EXTENSIONS = ['.png', '.jpg', '.jpeg'];
const PRESETS = [
  { value: 'default', label: 'default — adaptive steps to the nearest boundary (fast, PSNR ≈ 28 dB)' },
  { value: 'junction', label: 'junction — many-class tie: more sensitive, lower image quality' },
  { value: 'junction-select', label: 'junction-select — 6-class tie on the samples cheapest to tie: sensitive, PSNR ≈ 25 dB' },
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

/** A picked folder's files as sampleSets.upload takes them: `<class>/<image>`, the picked folder's own name stripped. */
function samplePaths(files: readonly File[]): { kept: { file: File; path: string }[]; skipped: number } {
  const kept: { file: File; path: string }[] = [];
  let skipped = 0;
  for (const file of files) {
    const parts = (file.webkitRelativePath || file.name).split('/').slice(1);
    const name = parts[parts.length - 1] ?? '';
    const image = SAMPLE_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext));
    if (parts.length === 2 && image && !parts.some((part) => part.startsWith('.'))) kept.push({ file, path: parts.join('/') });
    else skipped += 1;
  }
  return { kept, skipped };
}

/**
 * "Upload samples…": a folder with one sub-folder of PNG/JPEG images per class, sent as one
 * multipart form (the tRPC client routes FormData through a non-batching link).
 */
function SampleUpload({ projectId, onUploaded }: { projectId: string; onUploaded: (sampleSetId: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [picked, setPicked] = useState<{ kept: { file: File; path: string }[]; skipped: number; folder: string }>({ kept: [], skipped: 0, folder: '' });
  const upload = useMutation(
    trpc.sampleSets.upload.mutationOptions({
      onSuccess: async (set) => {
        await queryClient.invalidateQueries(trpc.sampleSets.pathFilter());
        onUploaded(set.id);
        setOpen(false);
        setName('');
        setPicked({ kept: [], skipped: 0, folder: '' });
      },
    }),
  );
  // React has no prop for the directory picker; the DOM property is standard enough (all major browsers).
  const directoryPicker = (input: HTMLInputElement | null) => {
    if (input) input.webkitdirectory = true;
  };
  if (!open) {
    return (
      <div>
        <button type="button" onClick={() => setOpen(true)} data-testid="sample-upload-open">
          Upload samples…
        </button>
      </div>
    );
  }
  const classes = new Set(picked.kept.map((f) => f.path.split('/')[0]));
  const send = () => {
    const form = new FormData();
    form.append('projectId', projectId);
    form.append('name', name.trim() || picked.folder);
    for (const { file, path } of picked.kept) form.append('files', file, path);
    upload.mutate(form);
  };
  return (
    <div className="card stack" data-testid="sample-upload">
      <p className="small muted">
        Choose a folder holding one sub-folder of PNG or JPEG images per class (the sub-folder’s name is the class). Images must already have the model’s input size and
        colours (28×28 grayscale for the MNIST demo model): nothing is resized.
      </p>
      <div className="form-grid">
        <label>
          Folder
          <input
            ref={directoryPicker}
            type="file"
            multiple
            data-testid="sample-upload-files"
            onChange={(e) => {
              const files = Array.from(e.target.files ?? []);
              const folder = files[0]?.webkitRelativePath.split('/')[0] ?? '';
              setPicked({ ...samplePaths(files), folder });
            }}
          />
          <span className="field-hint">
            {picked.kept.length > 0
              ? `${picked.kept.length} images in ${classes.size} classes${picked.skipped > 0 ? ` (${picked.skipped} other files left out)` : ''}`
              : picked.skipped > 0
                ? `no <class>/<image> files found (${picked.skipped} files left out)`
                : 'a folder of class folders'}
          </span>
        </label>
        <label>
          Name
          <input name="sampleSetName" maxLength={200} value={name} placeholder={picked.folder || 'my-samples'} onChange={(e) => setName(e.target.value)} />
        </label>
      </div>
      <ErrorBox error={upload.error} />
      <div className="row">
        <button type="button" className="primary" onClick={send} disabled={upload.isPending || picked.kept.length === 0 || !(name.trim() || picked.folder)} data-testid="sample-upload-submit">
          {upload.isPending ? 'Uploading…' : 'Upload'}
        </button>
        <button type="button" onClick={() => setOpen(false)} disabled={upload.isPending}>
          Cancel
        </button>
      </div>
    </div>
  );
}

function FragilizeProgress({
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
