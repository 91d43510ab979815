import { describe, expect, it } from 'vitest';
import { MlpAdapter } from '@modelseal/core/testing';
import { applyAttack } from './attack.ts';
import { attackSettings, parseStudyConfig } from './config.ts';

const settingsOf = (attack: unknown) =>
  attackSettings(parseStudyConfig({ model: 'm', dataset: 'mnist', count: 1, seeds: [1], methods: ['ours'], attacks: [attack] }).attacks[0]!);

async function snapshot(adapter: MlpAdapter): Promise<number[]> {
  const out: number[] = [];
  for (const info of await adapter.weights.list()) out.push(...(await adapter.weights.read(info.name)));
  return out;
}

describe('applyAttack', () => {
  it('adds seeded noise: same seed, same tampered model; other seed, another one', async () => {
    const [setting] = settingsOf({ kind: 'noise', std: [1e-2] });
    const original = await snapshot(new MlpAdapter());
    const a = new MlpAdapter();
    const b = new MlpAdapter();
    const c = new MlpAdapter();
    await applyAttack(a, setting!, 5);
    await applyAttack(b, setting!, 5);
    await applyAttack(c, setting!, 6);
    const [wa, wb, wc] = [await snapshot(a), await snapshot(b), await snapshot(c)];
    expect(wa).toEqual(wb);
    expect(wa).not.toEqual(wc);
    expect(wa).not.toEqual(original);
  });

  it('prunes the given fraction of weights to zero', async () => {
    const [setting] = settingsOf({ kind: 'prune', fraction: [0.5] });
    const adapter = new MlpAdapter();
    await applyAttack(adapter, setting!, 1);
    const weights = await snapshot(adapter);
    expect(weights.filter((w) => w === 0).length).toBeGreaterThan(weights.length * 0.3);
  });

  it('refuses training attacks with UNSUPPORTED instead of skipping them', async () => {
    const [setting] = settingsOf({ kind: 'finetune', learningRate: [1e-3], steps: 5 });
    await expect(applyAttack(new MlpAdapter(), setting!, 1)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});
