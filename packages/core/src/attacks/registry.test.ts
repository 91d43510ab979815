import { describe, expect, it } from 'vitest';
import { MlpAdapter } from '../testing/mlpAdapter.ts';
import { ATTACKS, parseAttack, runWeightAttack } from './registry.ts';
import { diffWeights, snapshotWeights } from './report.ts';

describe('ATTACKS registry', () => {
  it('names every attack the issue asks for, each under its own name', () => {
    expect(Object.keys(ATTACKS).sort()).toEqual(['backdoor', 'bitflip', 'finetune', 'fp16', 'int8', 'noise', 'prune']);
    for (const [key, definition] of Object.entries(ATTACKS)) {
      expect(definition.name).toBe(key);
      expect(definition.description.length).toBeGreaterThan(20);
    }
  });

  it('parses configs with defaults and rejects unknown attacks and misspelt parameters', () => {
    expect(parseAttack({ name: 'prune', params: { fraction: 0.1 } })).toEqual({
      name: 'prune',
      params: { fraction: 0.1, scope: 'global', trainableOnly: true },
    });
    expect(parseAttack({ name: 'backdoor', params: { learningRate: 0.01, steps: 5, targetLabel: 7, poisonFraction: 0.1 } }).params).toMatchObject({
      batchSize: 32,
      batchNorm: 'frozen',
      patch: { size: 3, value: 1, corner: 'bottom-right' },
    });
    expect(parseAttack({ name: 'finetune', params: { learningRate: 0, steps: 1 } }).params).toMatchObject({ learningRate: 0 });
    expect(() => parseAttack({ name: 'melt' })).toThrow(/unknown attack "melt"; known: noise, prune/);
    expect(() => parseAttack({ name: 'noise', params: { sdt: 1e-3 } })).toThrow(/invalid parameters for attack "noise": std: .*sdt/s);
    expect(() => parseAttack({ name: 'finetune', params: { learningRate: -1, steps: 1 } })).toThrow(/learningRate/);
  });

  it('runs weight attacks through WeightAccess and points training attacks elsewhere', async () => {
    const mlp = new MlpAdapter({ seed: 9 });
    const before = await snapshotWeights(mlp.weights);
    const report = await runWeightAttack(mlp.weights, parseAttack({ name: 'prune', params: { fraction: 0.5, scope: 'per-tensor' } }));
    expect(report).toMatchObject(await diffWeights(mlp.weights, before));
    expect(report.changed).toBeGreaterThan(0);
    const noise = await runWeightAttack(mlp.weights, parseAttack({ name: 'noise', params: { std: 1e-2, seed: 1 } }));
    expect(noise.maxAbsDelta).toBeGreaterThan(0.02);
    expect(noise.maxAbsDelta).toBeLessThan(0.07);
    await expect(runWeightAttack(mlp.weights, parseAttack({ name: 'finetune', params: { learningRate: 0.1, steps: 1 } }))).rejects.toThrow(
      /needs a training runtime/,
    );
  });
});
