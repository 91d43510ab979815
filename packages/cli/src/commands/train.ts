import { trainDemoModel } from '@modelseal/demo-models';
import { loadDataset } from '@modelseal/datasets';
import { createProgress } from '../ui/progress.ts';

export interface TrainCommandOptions {
  readonly dataset: 'mnist' | 'fashion-mnist';
  readonly out: string;
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly trainLimit?: number;
  readonly batchNorm?: boolean;
  readonly json: boolean;
}

export async function trainToFolder(options: TrainCommandOptions): Promise<{ testAccuracy: number; durationMs: number }> {
  const dataset = await loadDataset(options.dataset);
  const progress = createProgress({ json: options.json });
  let started = false;
  const began = performance.now();
  const result = await trainDemoModel({
    dataset,
    epochs: options.epochs,
    batchSize: options.batchSize,
    seed: options.seed,
    out: options.out,
    batchNorm: options.batchNorm ?? false,
    ...(options.trainLimit !== undefined ? { trainLimit: options.trainLimit } : {}),
    onProgress: (p) => {
      if (!started) {
        progress.start(p.epochs * p.batches, 'train');
        started = true;
      }
      progress.update((p.epoch - 1) * p.batches + p.batch, `epoch ${p.epoch}/${p.epochs} · loss ${p.loss.toFixed(3)}`);
    },
  });
  progress.stop();
  return { testAccuracy: result.testAccuracy, durationMs: performance.now() - began };
}

export async function runTrain(options: TrainCommandOptions): Promise<number> {
  const { testAccuracy, durationMs } = await trainToFolder(options);
  const summary = { out: options.out, dataset: options.dataset, epochs: options.epochs, testAccuracy, durationMs: Math.round(durationMs) };
  process.stdout.write(
    options.json
      ? `${JSON.stringify(summary)}\n`
      : `trained ${options.dataset} demo CNN for ${options.epochs} epoch(s) in ${(durationMs / 1000).toFixed(0)} s: test accuracy ${(testAccuracy * 100).toFixed(2)} %, saved to ${options.out}\n`,
  );
  return 0;
}
