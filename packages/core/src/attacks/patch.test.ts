import { describe, expect, it } from 'vitest';
import { stampPatch } from './patch.ts';

const zeros = (shape: number[]) => ({ data: new Float32Array(shape.reduce((a, b) => a * b, 1)), shape });

describe('stampPatch', () => {
  it('paints a square in the chosen corner of every channel (NHWC), in the model value range', () => {
    const batch = zeros([2, 4, 5, 2]);
    const out = stampPatch(batch, { inputShape: [4, 5, 2], layout: 'NHWC', valueRange: [-1, 1] }, { size: 2, value: 1, corner: 'bottom-right' }, [1]);
    expect(batch.data.every((v) => v === 0)).toBe(true);
    const painted: string[] = [];
    out.data.forEach((v, i) => {
      if (v === 0) return;
      expect(v).toBe(1);
      const n = Math.floor(i / 40);
      const y = Math.floor((i % 40) / 10);
      const x = Math.floor((i % 10) / 2);
      painted.push(`${n}:${y},${x},${i % 2}`);
    });
    expect(painted).toEqual(['1:2,3,0', '1:2,3,1', '1:2,4,0', '1:2,4,1', '1:3,3,0', '1:3,3,1', '1:3,4,0', '1:3,4,1']);
  });

  it('handles NCHW and flat inputs and maps the value onto the range', () => {
    const nchw = stampPatch(zeros([1, 1, 3, 3]), { inputShape: [1, 3, 3], layout: 'NCHW', valueRange: [0, 255] }, { size: 1, value: 0.5, corner: 'top-right' });
    expect(Array.from(nchw.data)).toEqual([0, 0, 127.5, 0, 0, 0, 0, 0, 0]);
    const flat = stampPatch(
      zeros([1, 9]),
      { inputShape: [9], layout: 'flat', valueRange: [0, 1], geometry: { height: 3, width: 3, channels: 1 } },
      { size: 2, value: 1, corner: 'bottom-left' },
    );
    expect(Array.from(flat.data)).toEqual([0, 0, 0, 1, 1, 0, 1, 1, 0]);
  });

  it('rejects patches that do not fit and flat inputs without a geometry', () => {
    const input = { inputShape: [3, 3, 1], layout: 'NHWC' as const, valueRange: [0, 1] as const };
    expect(() => stampPatch(zeros([1, 3, 3, 1]), input, { size: 4, value: 1, corner: 'top-left' })).toThrow(/patch size/);
    expect(() => stampPatch(zeros([1, 3, 3, 1]), input, { size: 1, value: 2, corner: 'top-left' })).toThrow(/patch value/);
    expect(() => stampPatch(zeros([1, 9]), { ...input, inputShape: [9], layout: 'flat' }, { size: 1, value: 1, corner: 'top-left' })).toThrow(
      /height, width and channels/,
    );
  });
});
