import { methodTitle, type MethodName } from '../study/config.ts';
import type { StudyResult } from '../study/runner.ts';
import { describeTieTop } from '@modelseal/core';

/** Column headings as the paper words them (Tables 4-9). */
const PARAMETER_TITLES: Record<string, string> = {
  noise: 'Standard Deviation',
  finetune: 'Learning Rate',
  backdoor: 'Learning Rate',
  prune: 'Pruned Fraction',
  bitflip: 'Bit',
  fp16: 'Float16',
  int8: 'Int8',
};

const ATTACK_TITLES: Record<string, string> = {
  noise: 'Gaussian noise on every parameter',
  finetune: 'fine-tuning',
  backdoor: 'backdoor fine-tuning',
  prune: 'pruning the smallest weights',
  bitflip: 'one flipped bit',
  fp16: 'float16 round trip',
  int8: 'int8 round trip',
};

/** The paper's table order; methods not in the study are left out. */
const ROW_ORDER: readonly MethodName[] = ['non-fragile', 'random', 'icip2022', 'ours', 'boundary', 'junction', 'paper'];

function formatNumber(value: number | null, digits: number): string {
  return value === null ? 'n/a' : value.toFixed(digits);
}

export function alignColumns(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('   ').trimEnd())
    .join('\n');
}

/**
 * One table per attack kind in the paper's layout (rows are methods, columns the swept
 * parameter, cells the ChangeRate in % averaged over seeds), then the samples' quality
 * and cost, which the paper reports separately.
 */
export function formatTables(result: StudyResult): string {
  const rows = ROW_ORDER.filter((m) => result.methods.some((s) => s.method === m));
  // One table per attack kind and variant (fine-tuning with batch-norm frozen / updating).
  const groups = [...new Map(result.columns.map((c) => [`${c.attack}|${c.variant ?? ''}`, { kind: c.attack, variant: c.variant ?? null }])).values()];
  const seeds = result.seeds.join(', ');
  const blocks = groups.map(({ kind, variant }) => {
    const columns = result.columns.filter((c) => c.attack === kind && (c.variant ?? null) === variant);
    const header = [PARAMETER_TITLES[kind] ?? kind, ...columns.map((c) => (c.value === null ? 'ChangeRate' : String(c.value)))];
    const body = rows.map((method) => [
      methodTitle(method, result.ours),
      ...columns.map((column) => {
        const cell = result.cells.find((c) => c.method === method && c.attack === kind && c.value === column.value && (c.variant ?? null) === variant);
        if (!cell) return '';
        // A dagger marks cells where the tampered model answered NaN/Inf for some samples.
        return `${(cell.changeRate * 100).toFixed(2)}${cell.nonFiniteSamples > 0 ? '†' : ''}`;
      }),
    ]);
    const title = `${ATTACK_TITLES[kind] ?? kind}${variant ? ` (${variant})` : ''}: average ChangeRate (%) over seeds ${seeds}`;
    const effects =
      kind === 'backdoor'
        ? result.backdoors.map(
            (b) => `\nlearning rate ${b.learningRate}: backdoor success ${(b.attackSuccessRate * 100).toFixed(1)} %, clean accuracy ${(b.cleanAccuracy * 100).toFixed(1)} %`,
          )
        : [];
    const broken = result.cells.filter((c) => c.attack === kind && (c.variant ?? null) === variant && c.nonFiniteSamples > 0);
    const dagger =
      broken.length > 0
        ? [`\n† the tampered model returned NaN/Inf for ${broken.reduce((sum, c) => sum + c.nonFiniteSamples, 0)} sample queries in these cells; they count as changed`]
        : [];
    return `${title}\n${alignColumns([header, ...body])}${effects.join('')}${dagger.join('')}`;
  });
  const quality = alignColumns([
    ['Samples', 'N', 'in band', 'PSNR (dB)', 'SSIM', 'ms/sample', 'grad evals/sample'],
    ...rows.map((method) => {
      const s = result.methods.find((m) => m.method === method)!;
      return [
        methodTitle(method, result.ours),
        String(Math.round(s.samples)),
        // Spares swapped in for samples that missed their band, in brackets.
        s.inBand == null ? 'n/a' : `${formatNumber(s.inBand, 1)}${s.replaced ? ` (${formatNumber(s.replaced, 1)} spare)` : ''}`,
        formatNumber(s.psnr, 2),
        formatNumber(s.ssim, 3),
        s.msPerSample.toFixed(1),
        s.gradientEvaluationsPerSample.toFixed(1),
      ];
    }),
  ]);
  const header = `${result.model} (${result.runtime}), ${result.dataset}, ${result.count} samples per seed`;
  const probes = rows.flatMap((method) => {
    const s = result.methods.find((m) => m.method === method)!;
    return s.tieTops.length === 0 ? [] : [`${methodTitle(method, result.ours)}, class on top by probe fine-tune: ${s.tieTops.map(describeTieTop).join('; ')}`];
  });
  return [header, ...blocks, `quality against the natural images the samples start from\n${quality}`, ...probes].join('\n\n');
}

