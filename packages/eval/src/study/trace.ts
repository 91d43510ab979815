import { fragilize, gatherRows, psnrBatch, ssimBatch, type ModelAdapter, type PresetName, type Tensor } from '@modelseal/core';

/** How a set of samples evolves during fragilization, for the paper's figures 5, 7 and 8. */
export interface FragilizationTrace {
  readonly preset: PresetName;
  readonly samples: number;
  /** Iterations at which the samples were looked at (0 = the natural images). */
  readonly checkpoints: number[];
  readonly psnr: number[];
  readonly ssim: number[];
  /** Probability vector of the first sample at each checkpoint (figure 8). */
  readonly probabilities: number[][];
  /** Mean objective over the samples after every iteration (figure 7); index 0 is iteration 1. */
  readonly loss: number[];
}

export interface TraceOptions {
  readonly adapter: ModelAdapter;
  readonly inputs: Tensor;
  readonly preset: PresetName;
  readonly maxIterations?: number;
  /** Most checkpoints to evaluate; each costs a (short) fragilization run. */
  readonly points?: number;
}

function meanRows(trace: readonly Float32Array[]): number[] {
  return trace.map((values) => values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length));
}

function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback;
}

/**
 * The paper preset is memoryless (fixed step, result = last iterate), so its run is cut
 * into segments that continue from each other exactly. The default preset adapts its
 * step and keeps its best iterate, so each checkpoint is a fresh run stopped there.
 */
export async function traceFragilization(options: TraceOptions): Promise<FragilizationTrace> {
  const { adapter, inputs, preset } = options;
  const { layout, valueRange, numClasses } = adapter.describe();
  const dataRange = valueRange[1] - valueRange[0];
  const points = options.points ?? 10;
  const quality = (x: Tensor) => ({
    // An untouched image has infinite PSNR; JSON and plots need a number, and 100 dB is off any chart.
    psnr: finiteOr(psnrBatch(inputs, x, { dataRange }).mean, 100),
    ssim: ssimBatch(inputs, x, { dataRange, layout }).mean,
  });
  const firstRow = (p: Tensor): number[] => Array.from(p.data.subarray(0, numClasses));

  const checkpoints = [0];
  const psnr = [100];
  const ssim = [1];
  const probabilities: number[][] = [firstRow(await adapter.predict(gatherRows(inputs, [0])))];
  const loss: number[] = [];

  if (preset === 'paper') {
    const total = options.maxIterations ?? 10_000;
    const segment = Math.max(1, Math.ceil(total / points));
    let current = inputs;
    let done = 0;
    while (done < total) {
      const length = Math.min(segment, total - done);
      const result = await fragilize({ adapter, inputs: current, preset, maxIterations: length, recordTrace: true });
      loss.push(...meanRows(result.trace ?? []));
      current = result.inputs;
      done += length;
      const q = quality(current);
      checkpoints.push(done);
      psnr.push(q.psnr);
      ssim.push(q.ssim);
      probabilities.push(firstRow(result.probabilities));
    }
  } else {
    const full = await fragilize({ adapter, inputs, preset, recordTrace: true, ...(options.maxIterations ? { maxIterations: options.maxIterations } : {}) });
    loss.push(...meanRows(full.trace ?? []));
    const total = Math.max(1, full.iterations);
    const stops = [...new Set(Array.from({ length: Math.min(points, total) }, (_, i) => Math.round(((i + 1) * total) / Math.min(points, total))))];
    for (const stop of stops) {
      const result = stop === total ? full : await fragilize({ adapter, inputs, preset, maxIterations: stop });
      const q = quality(result.inputs);
      checkpoints.push(stop);
      psnr.push(q.psnr);
      ssim.push(q.ssim);
      probabilities.push(firstRow(result.probabilities));
    }
  }
  return { preset, samples: inputs.shape[0] ?? 0, checkpoints, psnr, ssim, probabilities, loss };
}
