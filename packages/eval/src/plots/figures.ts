import { METHOD_TITLES, methodTitle } from '../study/config.ts';
import type { StudyResult } from '../study/runner.ts';
import { lineChart, type Series } from './svg.ts';

export interface Figure {
  /** File name, e.g. "fig5-psnr.svg". */
  readonly file: string;
  readonly svg: string;
}

const zip = (xs: readonly number[], ys: readonly number[]): [number, number][] => xs.map((x, i) => [x, ys[i] ?? Number.NaN]);

/**
 * The paper's figures 5 (PSNR and SSIM over iterations), 7 (objective over iterations) and
 * 8 (one sample's probability vector over iterations), from the study's traces, and 9
 * (ChangeRate of every method over fine-tuning steps), one per fine-tuning learning rate.
 */
export function studyFigures(result: StudyResult): Figure[] {
  const figures: Figure[] = [];
  for (const { method, trace } of result.traces) {
    const title = METHOD_TITLES[method];
    const where = `${result.dataset}, ${trace.samples} samples`;
    figures.push(
      {
        file: `fig5-psnr-${method}.svg`,
        svg: lineChart({
          title: `Fig. 5: PSNR during fragilization — ${title} (${where})`,
          xLabel: 'iteration',
          yLabel: 'PSNR (dB)',
          // Iteration 0 is the natural image (infinite PSNR): start the curve at the first step.
          series: [{ name: 'PSNR', points: zip(trace.checkpoints, trace.psnr).slice(1) }],
        }),
      },
      {
        file: `fig5-ssim-${method}.svg`,
        svg: lineChart({
          title: `Fig. 5: SSIM during fragilization — ${title} (${where})`,
          xLabel: 'iteration',
          yLabel: 'SSIM',
          series: [{ name: 'SSIM', points: zip(trace.checkpoints, trace.ssim) }],
        }),
      },
      {
        file: `fig7-loss-${method}.svg`,
        svg: lineChart({
          title: `Fig. 7: objective during fragilization — ${title}`,
          xLabel: 'iteration',
          yLabel: 'mean objective',
          series: [{ name: 'objective', points: trace.loss.map((v, i) => [i + 1, v] as [number, number]) }],
        }),
      },
      {
        file: `fig8-probabilities-${method}.svg`,
        svg: lineChart({
          title: `Fig. 8: probability vector of one sample — ${title}`,
          xLabel: 'iteration',
          yLabel: 'probability',
          yRange: [0, 1],
          series: classSeries(trace.checkpoints, trace.probabilities),
        }),
      },
    );
  }
  const runs = new Map(result.curves.map((c) => [`${c.batchNorm}|${c.learningRate}`, { batchNorm: c.batchNorm, learningRate: c.learningRate }]));
  for (const { batchNorm, learningRate } of runs.values()) {
    const curves = result.curves.filter((c) => c.learningRate === learningRate && c.batchNorm === batchNorm);
    // Frozen statistics are the default (weights only); updating ones get their own files.
    const mode = batchNorm === 'update' ? '-bn-update' : '';
    figures.push({
      file: `fig9-finetune${mode}-lr${learningRate}.svg`,
      svg: lineChart({
        title: `Fig. 9: ChangeRate during fine-tuning, learning rate ${learningRate}, batch-norm ${batchNorm} (${result.dataset})`,
        xLabel: 'fine-tuning step',
        yLabel: 'ChangeRate (%)',
        yRange: [0, 100],
        series: curves.map((c) => ({ name: methodTitle(c.method, result.ours), points: zip(c.steps, c.changeRate.map((r) => r * 100)) })),
      }),
    });
  }
  return figures;
}

function classSeries(checkpoints: readonly number[], probabilities: readonly number[][]): Series[] {
  const classes = probabilities[0]?.length ?? 0;
  return Array.from({ length: classes }, (_, c) => ({
    name: `class ${c}`,
    points: checkpoints.map((x, i) => [x, probabilities[i]?.[c] ?? Number.NaN] as [number, number]),
  }));
}
