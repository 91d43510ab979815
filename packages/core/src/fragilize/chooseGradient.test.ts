import { describe, expect, it } from 'vitest';
import { MlpAdapter } from '../testing/mlpAdapter.ts';
import type { ModelAdapter } from '../adapter/contract.ts';
import { chooseGradient } from './chooseGradient.ts';

describe('chooseGradient', () => {
  const whiteBox = new MlpAdapter();
  const blackBox: ModelAdapter = {
    kind: 'remote',
    describe: () => whiteBox.describe(),
    predict: (batch) => whiteBox.predict(batch),
    dispose: async () => {},
  };

  it('uses exact gradients when the adapter has them and NES when it has not', () => {
    expect(chooseGradient(whiteBox).name).toBe('exact');
    expect(chooseGradient(blackBox).name).toBe('nes');
    expect(chooseGradient(whiteBox, { kind: 'spsa' }).name).toBe('spsa');
  });

  it('refuses exact gradients for a black-box adapter, naming the alternatives', () => {
    expect(() => chooseGradient(blackBox, { kind: 'exact' })).toThrow(/no exact gradients.*nes or spsa/);
  });
});
