import type { StudyResult } from './study/runner.ts';

/** A small, hand-made study result for table and figure tests. */
export function sampleStudyResult(): StudyResult {
  const methods = ['non-fragile', 'random', 'icip2022', 'ours', 'paper'] as const;
  const values = [1e-3, 5e-4, 1e-5];
  const rates: Record<(typeof methods)[number], number[]> = {
    'non-fragile': [0.0003, 0.0003, 0],
    random: [0, 0, 0],
    icip2022: [0.06, 0.01, 0],
    ours: [0.86, 0.84, 0.5],
    paper: [0.69, 0.66, 0.06],
  };
  return {
    model: 'models/mnist-cnn',
    runtime: 'test',
    dataset: 'mnist',
    seeds: [1, 2],
    count: 100,
    methods: methods.map((method) => ({
      method,
      samples: method === 'non-fragile' ? 1948 : 100,
      psnr: method === 'ours' ? 27.5 : method === 'paper' ? 20.25 : null,
      ssim: method === 'ours' ? 0.85 : method === 'paper' ? 0.6 : null,
      msPerSample: 12.5,
      gradientEvaluationsPerSample: method === 'paper' ? 1001 : 7,
      inBand: method === 'ours' ? 99.5 : method === 'paper' ? 12 : null,
      replaced: method === 'ours' ? 1.5 : method === 'paper' ? 0 : null,
      tieTops:
        method === 'ours'
          ? [
              { chosen: 'last' as const, flips: { runnerUp: 0.8, last: 1 }, elapsedMs: 4000 },
              { chosen: 'runner-up' as const, flips: null, skipped: 'no training data was given for the probe fine-tune', elapsedMs: 0 },
            ]
          : [],
    })),
    columns: [...values.map((value) => ({ attack: 'noise' as const, value, variant: null })), { attack: 'fp16', value: null, variant: null }],
    cells: methods.flatMap((method) => [
      ...values.map((value, i) => ({ method, attack: 'noise' as const, value, variant: null, changeRate: rates[method][i]!, perSeed: [rates[method][i]!], perDraw: [rates[method][i]!], detectedSeeds: rates[method][i]! > 0 ? 1 : 0, detectedDraws: rates[method][i]! > 0 ? 1 : 0, nonFiniteSamples: 0 })),
      { method, attack: 'fp16' as const, value: null, variant: null, changeRate: 0.5, perSeed: [0.5], perDraw: [0.5], detectedSeeds: 1, detectedDraws: 1, nonFiniteSamples: 0 },
    ]),
    traces: [
      {
        method: 'paper',
        trace: {
          preset: 'paper',
          samples: 2,
          checkpoints: [0, 5, 10],
          psnr: [100, 30, 25],
          ssim: [1, 0.9, 0.8],
          probabilities: [
            [0.9, 0.1, 0],
            [0.6, 0.3, 0.1],
            [0.34, 0.33, 0.33],
          ],
          loss: [0.5, 0.4, 0.3, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1],
        },
      },
    ],
    curves: (['random', 'ours'] as const).map((method) => ({
      method,
      learningRate: 1e-3,
      batchNorm: 'frozen' as const,
      steps: [0, 50, 100],
      changeRate: method === 'ours' ? [0, 0.6, 0.8] : [0, 0, 0.01],
    })),
    backdoors: [],
    durationMs: 1,
  };
}
