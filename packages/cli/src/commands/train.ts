import { trainDemoModel } from '@modelseal/demo-models';
import { loadDataset } from '@modelseal/datasets';
import { createProgress } from '../ui/progress.ts';

export interface TrainCommandOptions {
  readonly dataset: 'mnist' | 'fashion-mnist';
  readonly out: string;
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly json: boolean;
}

export async function trainToFolder(options: TrainCommandOptions): Promise<{ testAccuracy: number; durationMs: number }> {
  const dataset = await loadDataset(options.dataset);
  const progress = createProgress({ json: options.json });
  const batchesPerEpoch = Math.ceil(dataset.train.count / options.batchSize);
  progress.start(options.epochs * batchesPerEpoch, 'train');
  const started = performance.now();
  const result = await trainDemoModel({
    dataset,
    epochs: options.epochs,
    batchSize: options.batchSize,
    seed: options.seed,
    out: options.out,
    onProgress: (p) => progress.update((p.epoch - 1) * batchesPerEpoch + p.batch, `epoch ${p.epoch} loss ${p.loss.toFixed(3)}`),
  });
  progress.stop();
  return { testAccuracy: result.testAccuracy, durationMs: performance.now() - started };
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
