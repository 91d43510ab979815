import { describe, expect, it } from 'vitest';
import { MlpAdapter } from '../testing/mlpAdapter.ts';
import { Random } from '../util/random.ts';
import { fragilize } from '../fragilize/fragilize.ts';
import { verify } from './verify.ts';

async function fragileSet(seed: number) {
  const adapter = new MlpAdapter({ seed: 5, weightScale: 3 });
  const random = new Random(seed);
  const inputs = { data: Float32Array.from({ length: 20 * 36 }, () => random.next()), shape: [20, 1, 6, 6] };
  const result = await fragilize({ adapter, inputs, maxIterations: 300 });
  return { adapter, result };
}

describe('verify', () => {
  it('reports an unchanged model as intact with ChangeRate 0', async () => {
    const { adapter, result } = await fragileSet(1);
    const report = await verify({ adapter, inputs: result.inputs, labels: result.labels, batchSize: 7 });
    expect(report.intact).toBe(true);
    expect(report.changeRate).toBe(0);
    expect(report.changed).toEqual([]);
    expect(report.queries).toBe(20);
    expect(report.requests).toBe(3);
  });

  it('detects weight noise: ChangeRate is the fraction of changed labels (eq. 5)', async () => {
    const { adapter, result } = await fragileSet(2);
    const random = new Random(11);
    for (const info of await adapter.weights.list()) {
      const values = await adapter.weights.read(info.name);
      await adapter.weights.write(info.name, values.map((v) => v + 1e-2 * random.gaussian()));
    }
    const report = await verify({ adapter, inputs: result.inputs, labels: result.labels });
    expect(report.intact).toBe(false);
    expect(report.changed.length).toBeGreaterThan(0);
    expect(report.changeRate).toBeCloseTo(report.changed.length / 20, 12);
    for (const change of report.changed) {
      expect(change.observedLabel).not.toBe(change.expectedLabel);
      expect(change.expectedLabel).toBe(result.labels[change.index]);
    }
  });

  it('probability mode catches changes too small to flip a label', async () => {
    const { adapter, result } = await fragileSet(3);
    const b2 = await adapter.weights.read('b2');
    b2[0] = b2[0]! + 1e-3;
    await adapter.weights.write('b2', b2);
    const labelReport = await verify({ adapter, inputs: result.inputs, labels: result.labels });
    const probabilityReport = await verify({
      adapter,
      inputs: result.inputs,
      labels: result.labels,
      probabilities: result.probabilities,
      mode: 'probability',
      tolerance: 1e-5,
    });
    expect(probabilityReport.intact).toBe(false);
    expect(probabilityReport.maxDelta).toBeGreaterThan(1e-5);
    expect(probabilityReport.changed.length).toBeGreaterThanOrEqual(labelReport.changed.length);
    expect(probabilityReport.changeRate).toBe(labelReport.changeRate);
  });

  it('probability mode passes an unchanged model within tolerance', async () => {
    const { adapter, result } = await fragileSet(4);
    const report = await verify({
      adapter,
      inputs: result.inputs,
      labels: result.labels,
      probabilities: result.probabilities,
      mode: 'probability',
      tolerance: 1e-6,
    });
    expect(report.intact).toBe(true);
    expect(report.maxDelta).toBeLessThanOrEqual(1e-6);
  });

  it('refuses mismatched trigger sets with clear errors', async () => {
    const { adapter, result } = await fragileSet(5);
    await expect(verify({ adapter, inputs: result.inputs, labels: result.labels.slice(1) })).rejects.toThrow(
      /20 inputs but 19 labels/,
    );
    await expect(
      verify({ adapter, inputs: { data: new Float32Array(20 * 4), shape: [20, 4] }, labels: result.labels }),
    ).rejects.toMatchObject({ code: 'INPUT_SHAPE' });
    await expect(verify({ adapter, inputs: result.inputs, labels: result.labels, mode: 'probability' })).rejects.toThrow(
      /recorded probabilities/,
    );
    await expect(verify({ adapter, inputs: result.inputs, labels: result.labels, batchSize: 0 })).rejects.toThrow(
      /batch size/,
    );
  });
});
