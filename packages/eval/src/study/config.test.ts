import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attackSettings, parseStudyConfig } from './config.ts';

const base = { model: 'm', dataset: 'mnist', count: 10, seeds: [1], methods: ['ours'], attacks: [{ kind: 'noise', std: [1e-3] }] };

describe('parseStudyConfig', () => {
  it('fills defaults and keeps the swept values', () => {
    const config = parseStudyConfig({ ...base, attacks: [{ kind: 'finetune', learningRate: [1e-3, 1e-4], steps: 10 }] });
    expect(config.traceSamples).toBe(10);
    expect(config.attacks[0]).toEqual({ kind: 'finetune', learningRate: [1e-3, 1e-4], steps: 10, batchSize: 32, batchNorm: 'frozen', points: 10 });
  });

  it('names the offending field in an INVALID_CONFIG error', () => {
    expect(() => parseStudyConfig({ ...base, methods: ['ours', 'magic'] }, 'study.json')).toThrow(/study\.json: methods\.1/);
    expect(() => parseStudyConfig({ ...base, attacks: [{ kind: 'noise', std: [-1] }] })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(() => parseStudyConfig({ ...base, seeds: [] })).toThrow(/seeds/);
    expect(() => parseStudyConfig({ ...base, ours: { tieTop: 'first' } })).toThrow(/ours\.tieTop/);
    expect(() => parseStudyConfig({ ...base, ours: { epsilon: 1 } })).toThrow(/ours/);
    expect(() => parseStudyConfig({ ...base, attackDraws: 0 })).toThrow(/attackDraws/);
  });

  it('accepts overrides of the default preset for the ours rows and several tampered copies per seed', () => {
    const config = parseStudyConfig({ ...base, ours: { tieTop: 'last' }, attackDraws: 8 });
    expect(config.ours).toEqual({ tieTop: 'last' });
    expect(config.attackDraws).toBe(8);
    expect(parseStudyConfig(base).attackDraws).toBe(1);
  });
});

describe('attackSettings', () => {
  it('gives one table column per swept value, and one for parameterless attacks', () => {
    const [noise, fp16, bitflip] = parseStudyConfig({
      ...base,
      attacks: [{ kind: 'noise', std: [1e-3, 5e-4] }, { kind: 'fp16' }, { kind: 'bitflip', bit: [30, 31] }],
    }).attacks;
    expect(attackSettings(noise!).map((s) => s.value)).toEqual([1e-3, 5e-4]);
    expect(attackSettings(fp16!).map((s) => s.value)).toEqual([undefined]);
    expect(attackSettings(bitflip!).map((s) => [s.kind, s.value])).toEqual([['bitflip', 30], ['bitflip', 31]]);
  });
});

describe('shipped example configs', () => {
  it('parse and point at a committed model', async () => {
    const folder = resolve(import.meta.dirname, '../../configs');
    const files = (await readdir(folder)).filter((f) => f.endsWith('.json'));
    expect(files).toContain('mnist-cnn-noise.json');
    for (const file of files) {
      const config = parseStudyConfig(JSON.parse(await readFile(join(folder, file), 'utf8')), file);
      expect(existsSync(resolve(folder, config.model)), file).toBe(true);
    }
    // configs/external names models kept outside the repository (run with --model PATH).
    const external = resolve(folder, 'external');
    const others = (await readdir(external)).filter((f) => f.endsWith('.json'));
    expect(others.length).toBeGreaterThan(0);
    for (const file of others) {
      const config = parseStudyConfig(JSON.parse(await readFile(join(external, file), 'utf8')), file);
      expect(config.count, file).toBeGreaterThan(0);
    }
  });
});
