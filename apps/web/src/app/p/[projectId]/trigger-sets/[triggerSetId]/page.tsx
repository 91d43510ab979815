'use client';
// One trigger set: how it was made (parameters), what it took (stats), its samples as pictures
// with their probabilities, and the file itself for roles that may hold it.
import { skipToken, useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useProject } from '../../../../../client/project.ts';
import { useTRPC, useTRPCClient } from '../../../../../client/trpc.ts';
import { TriggerSampleGrid } from '../../../../../components/TriggerSampleGrid.tsx';
import { asRecord, formatDuration, formatValue, tieTopSummary } from '../../../../../components/modelStatus.ts';
import { ErrorBox, Loading, PageHeader, formatDate, formatPercent } from '../../../../../components/ui.tsx';

/** Saves base64 bytes as a file through a temporary object URL. */
function saveBase64(base64: string, fileName: string, contentType: string): void {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  const url = URL.createObjectURL(new Blob([bytes], { type: contentType }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Parameters worth reading first; the rest follow in the table as recorded. */
const PARAM_ORDER = ['preset', 'dataset', 'count', 'seed', 'objective', 'method', 'tieClasses', 'epsilon', 'maxIterations', 'minMargin', 'targetMargin', 'step'];

export default function TriggerSetPage() {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const { triggerSetId } = useParams<{ projectId: string; triggerSetId: string }>();
  const { projectId, role, canWrite } = useProject();
  const set = useQuery(trpc.triggerSets.get.queryOptions({ projectId, triggerSetId }));
  const modelId = set.data?.modelId;
  const model = useQuery(trpc.models.get.queryOptions(modelId ? { projectId, modelId } : skipToken));
  const download = useMutation({
    mutationFn: async () => {
      const file = await client.triggerSets.downloadInputs.query({ projectId, triggerSetId });
      saveBase64(file.base64, file.fileName, file.contentType);
      return file.fileName;
    },
  });

  if (set.isError) {
    return (
      <>
        <PageHeader title="Trigger set">
          <Link href={`/p/${projectId}/models`}>← Models</Link>
        </PageHeader>
        <ErrorBox error={set.error} />
      </>
    );
  }
  if (!set.data) return <Loading what="trigger set" />;
  const s = set.data;
  const params = asRecord(s.params);
  const stats = asRecord(s.stats);
  const paramKeys = [...PARAM_ORDER.filter((k) => Object.hasOwn(params, k)), ...Object.keys(params).filter((k) => !PARAM_ORDER.includes(k)).sort()];
  const converged = typeof stats.converged === 'number' ? stats.converged : null;
  const samples = typeof stats.samples === 'number' ? stats.samples : s.sampleCount;
  const tieTop = tieTopSummary(stats);

  return (
    <div data-testid="trigger-set-page" data-trigger-set-id={s.id}>
      <PageHeader
        title={s.name}
        actions={
          canWrite ? (
            <button type="button" onClick={() => download.mutate()} disabled={download.isPending} data-testid="download-trigger-set">
              {download.isPending ? 'Preparing…' : 'Download trigger set (.safetensors)'}
            </button>
          ) : null
        }
      >
        Trigger set of{' '}
        {model.data ? <Link href={`/p/${projectId}/models/${model.data.id}`}>{model.data.name}</Link> : <Link href={`/p/${projectId}/models/${s.modelId}`}>its model</Link>} ·
        created {formatDate(s.createdAt)} · {s.signature ? <span title={s.signature}>signed ({s.signature})</span> : 'unsigned (checksum only)'}
      </PageHeader>
      <ErrorBox error={download.error} />
      {download.isSuccess ? <p className="small muted">Saved {download.data}. Keep it secret: whoever holds it can tune a tampered model to keep its answers.</p> : null}

      <div className="cards stat-cards" data-testid="trigger-set-stats">
        <Stat label="Samples" value={String(samples)} />
        <Stat
          label="Converged"
          value={converged !== null ? `${converged} / ${samples}` : '—'}
          hint={
            converged !== null && samples > 0
              ? `${formatPercent(converged / samples, 0)}${typeof stats.replacedSamples === 'number' && stats.replacedSamples > 0 ? ` · ${stats.replacedSamples} spare${stats.replacedSamples === 1 ? '' : 's'} in place of samples that missed the band` : ''}`
              : undefined
          }
        />
        {tieTop ? <Stat label="Class on top" value={tieTop.value} hint={tieTop.hint} /> : null}
        <Stat label="Iterations" value={formatValue(stats.iterations)} />
        <Stat label="Model queries" value={formatValue(stats.queries)} hint={typeof stats.queries === 'number' && samples > 0 ? `${(stats.queries / samples).toFixed(1)} per sample` : undefined} />
        <Stat label="Duration" value={formatDuration(typeof stats.durationMs === 'number' ? stats.durationMs : null)} />
        <Stat label="Gradient" value={formatValue(stats.gradient)} />
        {typeof stats.screenedAccuracy === 'number' ? <Stat label="Screened accuracy" value={formatPercent(stats.screenedAccuracy)} hint="of the candidate samples" /> : null}
      </div>

      <details className="card params" open>
        <summary>
          <strong>Parameters</strong>
        </summary>
        <dl className="kv params-kv" data-testid="trigger-set-params">
          {paramKeys.map((key) => (
            <div key={key} className="kv-pair">
              <dt>{key}</dt>
              <dd>
                <code>{formatValue(params[key])}</code>
              </dd>
            </div>
          ))}
        </dl>
      </details>

      <h2>Samples</h2>
      <TriggerSampleGrid projectId={projectId} triggerSetId={triggerSetId} role={role} />
    </div>
  );
}

function Stat({ label, value, hint }: { label: string; value: string; hint?: string | undefined }) {
  return (
    <div className="card stat">
      <span className="muted small">{label}</span>
      <span className="value">{value}</span>
      {hint ? <span className="small muted">{hint}</span> : null}
    </div>
  );
}
