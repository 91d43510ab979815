import { describe, expect, it } from 'vitest';
import { sampleStudyResult } from '../testing.ts';
import { alignColumns, formatTables } from './format.ts';

describe('alignColumns', () => {
  it('left-aligns the first column and right-aligns the others', () => {
    expect(alignColumns([['a', '1'], ['long', '100']])).toBe('a        1\nlong   100');
  });
});

describe('formatTables', () => {
  const text = formatTables(sampleStudyResult());
  const lines = text.split('\n');

  it('lays the noise table out like the paper: methods as rows, std values as columns, ChangeRate in %', () => {
    const header = lines.find((l) => l.startsWith('Standard Deviation'))!;
    expect(header.split(/\s{2,}/)).toEqual(['Standard Deviation', '0.001', '0.0005', '0.00001']);
    const start = lines.indexOf(header);
    expect(lines.slice(start + 1, start + 6).map((l) => l.split(/\s{2,}/))).toEqual([
      ['Non-fragile', '0.03', '0.03', '0.00'],
      ['Random', '0.00', '0.00', '0.00'],
      ['ICIP-2022', '6.00', '1.00', '0.00'],
      ['Ours (default)', '86.00', '84.00', '50.00'],
      ['Ours (paper preset)', '69.00', '66.00', '6.00'],
    ]);
    // Right-aligned columns end at the same position in every row.
    const widths = new Set(lines.slice(start, start + 6).map((l) => l.length));
    expect(widths.size).toBe(1);
    expect(text).toContain('average ChangeRate (%) over seeds 1, 2');
  });

  it('names an override of the default preset in the ours rows', () => {
    const printed = formatTables({ ...sampleStudyResult(), ours: { tieTop: 'last' } });
    expect(printed).toMatch(/Ours \(default, tie top: last\)\s+86\.00/);
    expect(printed).not.toMatch(/Ours \(default\)\s/);
  });

  it('puts each attack kind in its own table and reports quality and cost per method', () => {
    expect(text).toMatch(/float16 round trip[^\n]*\nFloat16\s+ChangeRate\nNon-fragile\s+50\.00/);
    expect(text).toMatch(/Ours \(default\)\s+100\s+99\.5 \(1\.5 spare\)\s+27\.50\s+0\.850\s+12\.5\s+7\.0/);
    expect(text).toMatch(/Ours \(paper preset\)\s+100\s+12\.0\s+20\.25/);
    expect(text).toMatch(/Random\s+100\s+n\/a\s+n\/a\s+n\/a/);
  });

  it('says, seed by seed, which class the probe put on top and why when it did not run', () => {
    expect(text).toContain(
      'Ours (default), class on top by probe fine-tune: last (a probe fine-tune flipped 80 % with the runner-up on top, 100 % with the least supported class); runner-up (no probe: no training data was given for the probe fine-tune)',
    );
    expect(text).not.toMatch(/Ours \(paper preset\), class on top/);
  });

  it('marks cells where the tampered model answered NaN and says how many queries did', () => {
    const result = sampleStudyResult();
    const broken = { ...result, cells: result.cells.map((c) => (c.method === 'ours' && c.attack === 'fp16' ? { ...c, nonFiniteSamples: 7 } : c)) };
    const out = formatTables(broken);
    expect(out).toMatch(/Ours \(default\)\s+50\.00†/);
    expect(out).toContain('† the tampered model returned NaN/Inf for 7 sample queries');
    expect(text).not.toContain('†');
  });

  it('gives fine-tuning with batch-norm statistics frozen and updating separate tables', () => {
    const result = sampleStudyResult();
    const variants = ['batch-norm frozen', 'batch-norm update'];
    const finetune = {
      ...result,
      columns: variants.map((variant) => ({ attack: 'finetune' as const, value: 0.001, variant })),
      cells: result.methods.flatMap(({ method }) =>
        variants.map((variant, i) => ({ method, attack: 'finetune' as const, value: 0.001, variant, changeRate: i === 0 ? 0.25 : 0.75, perSeed: [0], perDraw: [0], detectedSeeds: 1, detectedDraws: 1, nonFiniteSamples: 0 })),
      ),
    };
    const printed = formatTables(finetune);
    expect(printed).toMatch(/fine-tuning \(batch-norm frozen\): [^\n]*\nLearning Rate\s+0\.001\nNon-fragile\s+25\.00/);
    expect(printed).toMatch(/fine-tuning \(batch-norm update\): [^\n]*\nLearning Rate\s+0\.001\nNon-fragile\s+75\.00/);
  });

  it('states how well a backdoor took under its table', () => {
    const result = sampleStudyResult();
    const backdoor = {
      ...result,
      columns: [{ attack: 'backdoor' as const, value: 0.01, variant: null }],
      cells: result.cells.map((c) => ({ ...c, attack: 'backdoor' as const, value: 0.01 })).filter((_, i) => i % 4 === 0),
      backdoors: [{ learningRate: 0.01, attackSuccessRate: 0.912, cleanAccuracy: 0.97 }],
    };
    expect(formatTables(backdoor)).toMatch(/Learning Rate\s+0\.01\n[^]*\nlearning rate 0\.01: backdoor success 91\.2 %, clean accuracy 97\.0 %/);
  });
});
