'use client';
// The samples of a trigger set, 24 at a time: each original beside its fragile version with
// labels and image quality; a click opens the sample's probability vector. Viewers get the
// labels and probabilities but no pictures (the inputs are the seal's secret).
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '../client/trpc.ts';
import { ProbabilityBars } from './ProbabilityBars.tsx';
import { ErrorBox, Loading } from './ui.tsx';

export const PAGE_SIZE = 24;

function mean(values: readonly (number | null)[]): number | null {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return finite.length > 0 ? finite.reduce((a, b) => a + b, 0) / finite.length : null;
}

function labelName(label: number | null, classNames: readonly string[] | null): string {
  if (label === null) return '?';
  const name = classNames?.[label];
  return name && name !== String(label) ? `${label} ${name}` : String(label);
}

export function TriggerSampleGrid({ projectId, triggerSetId, role }: { projectId: string; triggerSetId: string; role: string | undefined }) {
  const trpc = useTRPC();
  const [page, setPage] = useState(0);
  const [selected, setSelected] = useState<number | null>(null);
  const preview = useQuery(
    trpc.triggerSets.preview.queryOptions({ projectId, triggerSetId, offset: page * PAGE_SIZE, limit: PAGE_SIZE }, { placeholderData: keepPreviousData, staleTime: 5 * 60_000 }),
  );
  const data = preview.data;
  if (preview.isPending) return <Loading what="samples" />;
  if (!data) return <ErrorBox error={preview.error} />;

  const pages = Math.max(1, Math.ceil(data.total / PAGE_SIZE));
  const first = page * PAGE_SIZE;
  const last = Math.min(data.total, first + PAGE_SIZE);
  const psnr = mean(data.samples.map((s) => s.psnr));
  const ssim = mean(data.samples.map((s) => s.ssim));
  const margin = mean(data.samples.map((s) => s.margin));
  const flipped = data.samples.filter((s) => s.originalLabel !== null && s.originalLabel !== s.label).length;
  const current = data.samples.find((s) => s.index === selected) ?? null;
  const showPictures = data.canSeeInputs && data.imageLike;
  const go = (next: number) => {
    setPage(Math.max(0, Math.min(pages - 1, next)));
    setSelected(null);
  };

  return (
    <div className="stack" data-testid="trigger-samples">
      <div className="cards quality-cards" data-testid="quality-averages">
        <div className="card stat">
          <span className="muted small">Mean PSNR</span>
          <span className="value" data-testid="mean-psnr">
            {psnr !== null ? `${psnr.toFixed(1)} dB` : '—'}
          </span>
          <span className="small muted">fragile vs original, samples {first + 1}–{last}</span>
        </div>
        <div className="card stat">
          <span className="muted small">Mean SSIM</span>
          <span className="value" data-testid="mean-ssim">
            {ssim !== null ? ssim.toFixed(3) : '—'}
          </span>
          <span className="small muted">1 = identical</span>
        </div>
        <div className="card stat">
          <span className="muted small">Mean margin</span>
          <span className="value">{margin !== null ? margin.toExponential(1) : '—'}</span>
          <span className="small muted">top-1 − top-2 probability</span>
        </div>
        <div className="card stat">
          <span className="muted small">Label moved by fragilizing</span>
          <span className="value">{flipped}</span>
          <span className="small muted">of {data.samples.length} on this page</span>
        </div>
      </div>

      {!data.canSeeInputs ? (
        <p className="notice" data-testid="inputs-hidden">
          Your role ({role ?? 'viewer'}) cannot see trigger-set inputs: whoever sees them could tune a tampered model to keep its answers. Labels and recorded
          probabilities are shown instead.
        </p>
      ) : !data.imageLike ? (
        <p className="notice">These inputs are not images; labels and probabilities are shown instead.</p>
      ) : data.originalsFrom === null ? (
        <p className="small muted">The original images are not available on this server; only the fragile samples are shown.</p>
      ) : (
        <p className="small muted">Originals from {data.originalsFrom}. Click a sample for its probabilities.</p>
      )}

      <Pager page={page} pages={pages} first={first} last={last} total={data.total} onGo={go} fetching={preview.isFetching} />
      <ErrorBox error={preview.error} />

      <div className={`sample-layout${current ? ' with-detail' : ''}`}>
        <div className="trigger-grid" data-testid="trigger-grid" data-can-see-inputs={data.canSeeInputs}>
          {data.samples.map((s) => {
            const moved = s.originalLabel !== null && s.originalLabel !== s.label;
            return (
              <button
                key={s.index}
                type="button"
                className={`sample-cell${s.index === selected ? ' selected' : ''}${showPictures ? '' : ' no-pictures'}`}
                data-testid="sample-cell"
                data-index={s.index}
                aria-pressed={s.index === selected}
                onClick={() => setSelected((cur) => (cur === s.index ? null : s.index))}
              >
                <span className="sample-index small muted">#{s.index}</span>
                {showPictures ? (
                  <span className="sample-pair">
                    <figure>
                      {s.original ? <img src={s.original} alt={`original of sample ${s.index}`} className="pixelated sample-img" /> : <span className="sample-img sample-missing">n/a</span>}
                      <figcaption>original</figcaption>
                    </figure>
                    <figure>
                      {s.fragile ? <img src={s.fragile} alt={`fragile sample ${s.index}`} className="pixelated sample-img" /> : <span className="sample-img sample-missing">n/a</span>}
                      <figcaption>fragile</figcaption>
                    </figure>
                  </span>
                ) : null}
                <span className={`sample-labels${moved ? ' moved' : ''}`} title="model's label for the original → label recorded for the fragile sample">
                  {labelName(s.originalLabel, data.classNames)} → <strong>{s.className && s.className !== String(s.label) ? `${s.label} ${s.className}` : s.label}</strong>
                </span>
                <span className="sample-quality small muted">
                  {s.psnr !== null ? `${s.psnr.toFixed(1)} dB` : 'PSNR —'} · {s.ssim !== null ? `SSIM ${s.ssim.toFixed(2)}` : 'SSIM —'}
                </span>
              </button>
            );
          })}
        </div>
        {current ? (
          <aside className="card sample-detail" data-testid="sample-detail" data-index={current.index}>
            <div className="row">
              <strong className="grow">Sample #{current.index}</strong>
              <button type="button" className="link" onClick={() => setSelected(null)} aria-label="Close sample detail">
                Close ✕
              </button>
            </div>
            {showPictures ? (
              <div className="sample-pair large">
                <figure>
                  {current.original ? <img src={current.original} alt={`original of sample ${current.index}`} className="pixelated" /> : <span className="sample-missing">n/a</span>}
                  <figcaption>original — {labelName(current.originalLabel, data.classNames)}</figcaption>
                </figure>
                <figure>
                  {current.fragile ? <img src={current.fragile} alt={`fragile sample ${current.index}`} className="pixelated" /> : <span className="sample-missing">n/a</span>}
                  <figcaption>fragile — {labelName(current.label, data.classNames)}</figcaption>
                </figure>
              </div>
            ) : null}
            <dl className="kv">
              <dt>Recorded label</dt>
              <dd>{labelName(current.label, data.classNames)}</dd>
              <dt>Original label</dt>
              <dd>{labelName(current.originalLabel, data.classNames)}</dd>
              <dt>PSNR</dt>
              <dd>{current.psnr !== null ? `${current.psnr.toFixed(2)} dB` : '—'}</dd>
              <dt>SSIM</dt>
              <dd>{current.ssim !== null ? current.ssim.toFixed(4) : '—'}</dd>
            </dl>
            <h3>Recorded probabilities</h3>
            <ProbabilityBars probabilities={current.probabilities} classNames={data.classNames ?? undefined} margin={current.margin} />
          </aside>
        ) : null}
      </div>
      {pages > 1 ? <Pager page={page} pages={pages} first={first} last={last} total={data.total} onGo={go} fetching={preview.isFetching} /> : null}
    </div>
  );
}

function Pager({ page, pages, first, last, total, onGo, fetching }: { page: number; pages: number; first: number; last: number; total: number; onGo: (page: number) => void; fetching: boolean }) {
  return (
    <div className="row pager" data-testid="sample-pager">
      <button type="button" onClick={() => onGo(page - 1)} disabled={page === 0} data-testid="page-prev">
        ← Previous
      </button>
      <span className="small">
        Samples {total === 0 ? 0 : first + 1}–{last} of {total} (page {page + 1} of {pages})
      </span>
      <button type="button" onClick={() => onGo(page + 1)} disabled={page >= pages - 1} data-testid="page-next">
        Next →
      </button>
      {fetching ? <span className="small muted">loading…</span> : null}
    </div>
  );
}
