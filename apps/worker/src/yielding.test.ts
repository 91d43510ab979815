import type { ModelAdapter, Tensor } from '@modelseal/core';
import { describe, expect, it } from 'vitest';
import { yieldingAdapter } from './yielding.ts';

const batch: Tensor = { data: new Float32Array(1), shape: [1, 1] };

function fake(withVjp: boolean, timersRan: () => boolean): ModelAdapter & { seen: boolean[] } {
  const seen: boolean[] = [];
  const adapter: ModelAdapter & { seen: boolean[] } = {
    seen,
    kind: 'fake',
    describe: () => ({ inputShape: [1], layout: 'flat', valueRange: [0, 1], numClasses: 2, outputKind: 'probabilities', runtime: 'fake' }),
    predict: async () => {
      seen.push(timersRan());
      return { data: new Float32Array([0.5, 0.5]), shape: [1, 2] };
    },
    dispose: async () => undefined,
  };
  if (withVjp) {
    adapter.vjp = async () => {
      seen.push(timersRan());
      return { gradient: batch, probabilities: { data: new Float32Array([0.5, 0.5]), shape: [1, 2] } };
    };
  }
  return adapter;
}

describe('yieldingAdapter', () => {
  it('lets callbacks already queued on the event loop run before each model call', async () => {
    let ran = false;
    const inner = fake(true, () => ran);
    const wrapped = yieldingAdapter(inner);
    setImmediate(() => (ran = true));
    await wrapped.predict(batch);
    ran = false;
    setImmediate(() => (ran = true));
    await wrapped.vjp!(batch, batch);
    expect(inner.seen).toEqual([true, true]);
  });

  it('keeps a black-box adapter black-box (no vjp appears)', () => {
    expect(yieldingAdapter(fake(false, () => true)).vjp).toBeUndefined();
    expect(yieldingAdapter(fake(false, () => true)).describe().runtime).toBe('fake');
  });
});
