import { describe, expect, it } from 'vitest';
import { fragilize } from '../fragilize/fragilize.ts';
import { MlpAdapter } from '../testing/mlpAdapter.ts';
import { Random } from '../util/random.ts';
import { triggerSetFromFragilization } from './fromFragilization.ts';
import { decodeTriggerSet, encodeTriggerSet } from './triggerSet.ts';

describe('triggerSetFromFragilization', () => {
  it('records the fragile samples, their answers and the run in a file that round-trips', async () => {
    const adapter = new MlpAdapter({ seed: 5, weightScale: 3 });
    const random = new Random(2);
    const inputs = { data: Float32Array.from({ length: 4 * 36 }, () => random.next()), shape: [4, 1, 6, 6] };
    const result = await fragilize({ adapter, inputs, maxIterations: 50 });
    const set = triggerSetFromFragilization(result, adapter.describe(), {
      extra: { dataset: 'unit', margins: [1, 2, 3, 4] },
      classNames: Array.from({ length: 10 }, (_, i) => `c${i}`),
      createdAt: new Date('2026-01-02T03:04:05Z'),
    });
    expect(set.inputs).toBe(result.inputs);
    expect(set.labels).toBe(result.labels);
    expect(set.metadata.createdAt).toBe('2026-01-02T03:04:05.000Z');
    expect(set.metadata.classNames).toHaveLength(10);
    expect(set.metadata.extra.preset).toBe('default');
    expect(set.metadata.extra.dataset).toBe('unit');
    // The caller's values win over the defaults.
    expect(set.metadata.extra.margins).toEqual([1, 2, 3, 4]);
    const decoded = decodeTriggerSet(encodeTriggerSet(set));
    expect(decoded.triggerSet.metadata.extra.originalLabels).toEqual(Array.from(result.originalLabels));
  });
});
