import { describe, expect, it } from 'vitest';
import { getObjective, OBJECTIVE_NAMES } from './objectives.ts';

function numericGradient(f: (p: number[]) => number, p: number[], h = 1e-6): number[] {
  return p.map((_, i) => {
    const up = [...p];
    const down = [...p];
    up[i]! += h;
    down[i]! -= h;
    return (f(up) - f(down)) / (2 * h);
  });
}

describe('objectives', () => {
  it('eq3 matches the formula on a hand-computed vector', () => {
    // n = 2, p = (0.75, 0.25): (0.25)²·0.75 + (−0.25)²·0.25 = 0.0625
    expect(getObjective('eq3').value([0.75, 0.25])).toBeCloseTo(0.0625, 12);
  });

  it('plain variance matches the formula', () => {
    // p = (0.7, 0.2, 0.1): mean 1/3, variance = ((0.3667)² + (0.1333)² + (0.2333)²)/3
    const expected = ((0.7 - 1 / 3) ** 2 + (0.2 - 1 / 3) ** 2 + (0.1 - 1 / 3) ** 2) / 3;
    expect(getObjective('variance').value([0.7, 0.2, 0.1])).toBeCloseTo(expected, 12);
  });

  it('every objective is zero at the uniform vector and positive elsewhere', () => {
    for (const name of OBJECTIVE_NAMES) {
      const objective = getObjective(name);
      expect(objective.value([0.25, 0.25, 0.25, 0.25])).toBeCloseTo(0, 12);
      expect(objective.value([0.4, 0.3, 0.2, 0.1])).toBeGreaterThan(0);
    }
  });

  it.each(OBJECTIVE_NAMES)('closed-form gradient of %s agrees with finite differences', (name) => {
    const objective = getObjective(name);
    for (const p of [
      [0.6, 0.3, 0.1],
      [0.05, 0.05, 0.7, 0.2],
      [0.14, 0.06, 0.11, 0.09, 0.105, 0.095, 0.102, 0.098, 0.13, 0.07],
    ]) {
      const out = new Float32Array(p.length);
      objective.gradient(p, out);
      const numeric = numericGradient((q) => objective.value(q), p);
      numeric.forEach((g, i) => expect(out[i]!).toBeCloseTo(g, 3));
    }
  });

  it('rejects an unknown objective by name', () => {
    expect(() => getObjective('entropy')).toThrow(/unknown objective "entropy"/);
  });
});
