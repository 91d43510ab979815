import { describe, expect, it } from 'vitest';
import { sampleStudyResult } from '../testing.ts';
import { studyFigures } from './figures.ts';
import { checkWellFormedXml } from './wellFormed.ts';

describe('studyFigures', () => {
  const figures = studyFigures(sampleStudyResult());

  it('draws figures 5, 7 and 8 for every traced method and 9 per fine-tuning rate, all well-formed', () => {
    expect(figures.map((f) => f.file)).toEqual([
      'fig5-psnr-paper.svg',
      'fig5-ssim-paper.svg',
      'fig7-loss-paper.svg',
      'fig8-probabilities-paper.svg',
      'fig9-finetune-lr0.001.svg',
    ]);
    for (const figure of figures) expect(checkWellFormedXml(figure.svg), figure.file).toMatchObject({ ok: true });
  });

  it('names figure 9 of a run with batch-norm statistics updating apart from the frozen one', () => {
    const result = sampleStudyResult();
    const both = { ...result, traces: [], curves: [...result.curves, ...result.curves.map((c) => ({ ...c, batchNorm: 'update' as const }))] };
    const files = studyFigures(both).map((f) => f.file);
    expect(files).toEqual(['fig9-finetune-lr0.001.svg', 'fig9-finetune-bn-update-lr0.001.svg']);
  });

  it('gives figure 8 one line per class and figure 7 one point per iteration', () => {
    const fig8 = figures.find((f) => f.file.startsWith('fig8'))!.svg;
    expect([...fig8.matchAll(/data-name="(class \d+)"/g)].map((m) => m[1])).toEqual(['class 0', 'class 1', 'class 2']);
    const fig7 = figures.find((f) => f.file.startsWith('fig7'))!.svg;
    expect(/points="([^"]*)"/.exec(fig7)![1]!.split(' ')).toHaveLength(10);
    // The natural image's infinite PSNR (stored as 100) is left off the PSNR curve.
    const fig5 = figures.find((f) => f.file === 'fig5-psnr-paper.svg')!.svg;
    expect(/class="series"[^>]*points="([^"]*)"/.exec(fig5)![1]!.split(' ')).toHaveLength(2);
  });

  it('gives figure 9 one line per method over the fine-tuning steps', () => {
    const fig9 = figures.find((f) => f.file.startsWith('fig9'))!.svg;
    const lines = [...fig9.matchAll(/data-name="([^"]*)"[^>]*points="([^"]*)"/g)];
    expect(lines.map((m) => m[1])).toEqual(['Random', 'Ours (default)']);
    const ours = lines[1]![2]!.split(' ').map((p) => Number(p.split(',')[1]));
    expect(ours).toHaveLength(3);
    expect(ours[2]!).toBeLessThan(ours[1]!);
  });
});
