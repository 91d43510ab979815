import { describe, expect, it } from 'vitest';
import { createProgress } from './progress.ts';

/** A non-TTY stream that keeps what was written. */
function pipe(): { stream: NodeJS.WriteStream; lines: () => string[] } {
  let text = '';
  const stream = { isTTY: false, write: (chunk: string) => ((text += chunk), true) } as unknown as NodeJS.WriteStream;
  return { stream, lines: () => text.split('\n').filter(Boolean) };
}

describe('createProgress on a pipe', () => {
  it('prints a line per 10 % crossed and nothing in between while steps come quickly', () => {
    const { stream, lines } = pipe();
    const progress = createProgress({ json: false, stream, now: () => 0 });
    progress.start(20, 'eval');
    for (let i = 1; i <= 20; i++) progress.update(i, `step ${i}`);
    expect(lines()).toHaveLength(10);
    expect(lines()[0]).toBe('eval: 10% (2/20) step 2');
    expect(lines()[9]).toBe('eval: 100% (20/20) step 20');
  });

  it('also names the current step when it changed and the log has been quiet long enough', () => {
    const { stream, lines } = pipe();
    let clock = 0;
    const progress = createProgress({ json: false, stream, quietMs: 1000, now: () => clock });
    progress.start(100, 'eval');
    progress.update(1, 'seed 1: noise');
    expect(lines()).toEqual([]);
    clock = 1500;
    progress.update(1, 'seed 1: finetune step 50/100');
    progress.update(1, 'seed 1: finetune step 60/100');
    expect(lines()).toEqual(['eval: 1% (1/100) seed 1: finetune step 50/100']);
    clock = 2000;
    progress.update(1, 'seed 1: finetune step 70/100');
    expect(lines()).toHaveLength(1);
    clock = 2600;
    progress.update(1, 'seed 1: finetune step 70/100');
    expect(lines().at(-1)).toBe('eval: 1% (1/100) seed 1: finetune step 70/100');
    clock = 9000;
    progress.update(1, 'seed 1: finetune step 70/100');
    expect(lines()).toHaveLength(2);
  });

  it('prints nothing at all with --json', () => {
    const { stream, lines } = pipe();
    const progress = createProgress({ json: true, stream, now: () => 1e9 });
    progress.start(10, 'eval');
    for (let i = 1; i <= 10; i++) progress.update(i, 'x');
    expect(lines()).toEqual([]);
  });
});
