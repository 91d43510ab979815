import { describe, expect, it } from 'vitest';
import { DEMO_MODEL_DIR } from './seed.ts';
import { readModelFolder, tamperTfjsWeights } from './tamper.ts';

describe('tamperTfjsWeights', () => {
  it('adds small noise to every float32 weight and leaves the other files alone', async () => {
    const files = await readModelFolder(DEMO_MODEL_DIR);
    const tampered = tamperTfjsWeights(files, { std: 1e-4, seed: 3 });
    expect(tampered.map((f) => f.path)).toEqual(files.map((f) => f.path));
    const before = files.find((f) => f.path === 'weights.bin')!;
    const after = tampered.find((f) => f.path === 'weights.bin')!;
    expect(after.bytes.byteLength).toBe(before.bytes.byteLength);
    const a = new Float32Array(before.bytes.slice().buffer);
    const b = new Float32Array(after.bytes.slice().buffer);
    let changed = 0;
    let sumSq = 0;
    for (let i = 0; i < a.length; i += 1) {
      const d = b[i]! - a[i]!;
      if (d !== 0) changed += 1;
      sumSq += d * d;
    }
    expect(changed / a.length).toBeGreaterThan(0.99);
    expect(Math.sqrt(sumSq / a.length)).toBeCloseTo(1e-4, 5);
    expect(tampered.find((f) => f.path === 'model.json')!.bytes).toEqual(files.find((f) => f.path === 'model.json')!.bytes);
    // Seeded: the same call gives the same copy.
    expect(tamperTfjsWeights(files, { std: 1e-4, seed: 3 })).toEqual(tampered);
  });

  it('says which weights file is missing', async () => {
    const files = (await readModelFolder(DEMO_MODEL_DIR)).filter((f) => f.path !== 'weights.bin');
    expect(() => tamperTfjsWeights(files, { std: 1e-4 })).toThrow(/weights file weights.bin, which is missing/);
  });
});
