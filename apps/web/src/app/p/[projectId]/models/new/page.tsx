'use client';
// Register a model: pick an adapter, then upload its files (adapters that take uploads) and/or
// fill in the form generated from the adapter's config schema.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { useProject } from '../../../../../client/project.ts';
import { useTRPC } from '../../../../../client/trpc.ts';
import { SchemaForm, type JSONSchema, type SchemaFormResult } from '../../../../../components/SchemaForm.tsx';
import { ErrorBox, Loading, PageHeader } from '../../../../../components/ui.tsx';

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

const UPLOAD_HINTS: Record<string, string> = {
  tfjs: 'Select model.json together with all its .bin weight shards.',
  onnx: 'Select the .onnx file.',
};

export default function NewModelPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const { projectId, role, canWrite, project } = useProject();
  const adapters = useQuery(trpc.adapters.list.queryOptions());
  const [chosenKind, setKind] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [config, setConfig] = useState<SchemaFormResult>({ value: {}, errors: [] });
  const [problems, setProblems] = useState<readonly string[]>([]);

  const onCreated = async (model: { id: string }) => {
    await queryClient.invalidateQueries(trpc.models.pathFilter());
    router.push(`/p/${projectId}/models/${model.id}`);
  };
  const register = useMutation(trpc.models.register.mutationOptions({ onSuccess: onCreated }));
  const upload = useMutation(trpc.models.upload.mutationOptions({ onSuccess: onCreated }));
  const pending = register.isPending || upload.isPending;

  const list = adapters.data ?? [];
  const kind = chosenKind ?? list.find((a) => a.kind === 'tfjs')?.kind ?? list[0]?.kind ?? null;
  const adapter = list.find((a) => a.kind === kind);

  if (project.isPending || adapters.isPending) return <Loading />;
  if (!canWrite) {
    return (
      <>
        <PageHeader title="Register a model" />
        <p className="notice">Your role ({role ?? 'none'}) cannot register models; ask an owner or member of the project.</p>
      </>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!adapter) return;
    const found: string[] = [...config.errors];
    if (adapter.upload && files.length === 0) found.push('choose the model file(s) to upload');
    setProblems(found);
    if (found.length > 0) return;
    register.reset();
    upload.reset();
    if (adapter.upload) {
      const form = new FormData();
      form.append('projectId', projectId);
      form.append('name', name.trim());
      form.append('adapterKind', adapter.kind);
      if (Object.keys(config.value).length > 0) form.append('config', JSON.stringify(config.value));
      for (const file of files) form.append('files', file, file.name);
      upload.mutate(form);
    } else {
      register.mutate({ projectId, name: name.trim(), adapterKind: adapter.kind, config: config.value });
    }
  };

  return (
    <>
      <PageHeader title="Register a model">
        <Link href={`/p/${projectId}/models`}>← Models</Link>
      </PageHeader>
      <ErrorBox error={adapters.error} />
      <form className="card stack register-form" onSubmit={submit} data-testid="register-model-form">
        <label>
          Name
          <input name="name" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. mnist-cnn-prod" disabled={pending} />
        </label>

        <fieldset className="adapter-choice" disabled={pending}>
          <legend>Adapter</legend>
          <div className="adapter-options">
            {list.map((a) => (
              <label key={a.kind} className={`adapter-option${a.kind === kind ? ' selected' : ''}`} data-testid="adapter-option" data-kind={a.kind}>
                <span className="row">
                  <input
                    type="radio"
                    name="adapterKind"
                    value={a.kind}
                    checked={a.kind === kind}
                    onChange={() => {
                      setKind(a.kind);
                      setFiles([]);
                      setProblems([]);
                    }}
                  />
                  <strong>{a.title}</strong>
                  <code className="small muted">{a.kind}</code>
                  {a.upload ? <span className="pill">upload</span> : null}
                </span>
                {a.description ? <span className="small muted">{a.description}</span> : null}
              </label>
            ))}
          </div>
        </fieldset>

        {adapter?.upload ? (
          <div className="field">
            <label htmlFor="model-files">Model files</label>
            <input
              id="model-files"
              name="files"
              type="file"
              multiple
              accept={adapter.upload.accepts.join(',')}
              disabled={pending}
              onChange={(e) => setFiles(Array.from(e.target.files ?? []))}
              data-testid="model-files"
            />
            <span className="field-hint">
              {UPLOAD_HINTS[adapter.kind] ?? 'Select the model file(s).'} Accepted: {adapter.upload.accepts.join(', ')}.
            </span>
            {files.length > 0 ? (
              <ul className="file-list small">
                {files.map((f) => (
                  <li key={`${f.name}-${f.size}`}>
                    <code>{f.name}</code> <span className="muted">{formatBytes(f.size)}</span>
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}

        {adapter ? (
          <section className="stack">
            <h3>{adapter.upload ? 'Options' : 'Configuration'}</h3>
            <SchemaForm
              key={adapter.kind}
              schema={(adapter.configJsonSchema ?? null) as JSONSchema | null}
              omit={adapter.upload ? [adapter.upload.entryKey] : []}
              onChange={setConfig}
              idPrefix={`cfg-${adapter.kind}`}
              disabled={pending}
            />
          </section>
        ) : list.length === 0 && !adapters.isError ? (
          <p className="notice">No adapters are installed on this server.</p>
        ) : null}

        {problems.length > 0 ? (
          <ul role="alert" className="error problems">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        ) : null}
        <ErrorBox error={register.error ?? upload.error} />
        <div className="row">
          <button type="submit" className="primary" disabled={pending || !adapter} data-testid="register-submit">
            {upload.isPending ? 'Uploading…' : register.isPending ? 'Registering…' : 'Register model'}
          </button>
          <Link href={`/p/${projectId}/models`}>Cancel</Link>
        </div>
      </form>
    </>
  );
}
