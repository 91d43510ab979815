import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TfjsAdapter, readSidecar } from '@modelseal/adapter-tfjs';
import { isModelSealError } from '@modelseal/core';
import { loadDataset, toModelBatch } from '@modelseal/datasets';
import { trainDemoModel, type TrainProgress } from './train.ts';

const root = await mkdtemp(path.join(tmpdir(), 'modelseal-demo-train-'));
afterAll(() => rm(root, { recursive: true, force: true }));
const mnist = await loadDataset('mnist');

describe('trainDemoModel', () => {
  it('lowers the loss within one epoch and writes a model the tfjs adapter loads as described', async () => {
    const out = path.join(root, 'one-epoch');
    const progress: TrainProgress[] = [];
    const result = await trainDemoModel({ dataset: mnist, epochs: 1, batchSize: 32, trainLimit: 320, seed: 1, out, onProgress: (p) => progress.push(p) });

    expect(progress).toHaveLength(10);
    expect(progress.map((p) => p.batch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(progress.every((p) => p.epoch === 1 && p.epochs === 1 && p.batches === 10)).toBe(true);
    const mean = (ps: TrainProgress[]) => ps.reduce((sum, p) => sum + p.loss, 0) / ps.length;
    expect(mean(progress.slice(-3))).toBeLessThan(mean(progress.slice(0, 3)) - 0.3);

    expect((await readdir(out)).sort()).toEqual(['model.json', 'modelseal-model.json', 'weights.bin']);
    const sidecar = await readSidecar(out);
    expect(sidecar).toMatchObject({ dataset: 'mnist', outputKind: 'logits', layout: 'NHWC', inputShape: [28, 28, 1], trainSamples: 320, epochs: 1, seed: 1 });
    expect(sidecar?.testAccuracy).toBe(result.testAccuracy);
    // Well above chance (10 %) after 10 steps on 320 images.
    expect(result.testAccuracy).toBeGreaterThan(0.4);

    const adapter = await TfjsAdapter.load({ path: out });
    const description = adapter.describe();
    expect(description).toMatchObject({ inputShape: [28, 28, 1], layout: 'NHWC', numClasses: 10, outputKind: 'logits', valueRange: [0, 1] });
    expect(description.classNames).toEqual(mnist.classNames);
    const indices = Array.from({ length: 200 }, (_, i) => i);
    const probabilities = await adapter.predict(toModelBatch(mnist.test, description, indices));
    let correct = 0;
    for (const i of indices) {
      const row = Array.from(probabilities.data.subarray(i * 10, i * 10 + 10));
      if (row.indexOf(Math.max(...row)) === mnist.test.labels[i]) correct++;
    }
    await adapter.dispose();
    expect(Math.abs(correct / 200 - result.testAccuracy)).toBeLessThan(0.1);
  });

  it('trains reproducibly from a seed', async () => {
    const run = async (name: string) => {
      const out = path.join(root, name);
      await trainDemoModel({ dataset: mnist, epochs: 1, batchSize: 32, trainLimit: 96, seed: 5, out });
      return readFile(path.join(out, 'weights.bin'));
    };
    expect((await run('seeded-a')).equals(await run('seeded-b'))).toBe(true);
  });

  it('stops with ABORTED when cancelled, writing nothing', async () => {
    const controller = new AbortController();
    const out = path.join(root, 'aborted');
    const error = await trainDemoModel({
      dataset: mnist,
      epochs: 3,
      batchSize: 32,
      trainLimit: 320,
      out,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.batch === 2) controller.abort();
      },
    }).catch((e: unknown) => e);
    expect(isModelSealError(error) && error.code).toBe('ABORTED');
    await expect(readdir(out)).rejects.toThrow();
  });

  it('rejects nonsensical settings before training', async () => {
    const error = await trainDemoModel({ dataset: mnist, epochs: 0, out: path.join(root, 'never') }).catch((e: unknown) => e);
    expect(isModelSealError(error) && error.code).toBe('INVALID_ARGUMENT');
    expect((error as Error).message).toContain('epochs');
  });
});
