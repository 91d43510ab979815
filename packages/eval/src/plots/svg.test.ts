import { describe, expect, it } from 'vitest';
import { lineChart, niceTicks } from './svg.ts';
import { checkWellFormedXml } from './wellFormed.ts';

describe('checkWellFormedXml', () => {
  it('accepts nested, closed elements and rejects broken ones', () => {
    expect(checkWellFormedXml('<a x="1"><b/><c>t &amp; u</c></a>').ok).toBe(true);
    expect(checkWellFormedXml('<a><b></a>').ok).toBe(false);
    expect(checkWellFormedXml('<a>x & y</a>').ok).toBe(false);
    expect(checkWellFormedXml('<a x=1></a>').ok).toBe(false);
    expect(checkWellFormedXml('<a>').ok).toBe(false);
  });
});

describe('niceTicks', () => {
  it('covers the range with round steps', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 10_000)).toEqual([0, 2000, 4000, 6000, 8000, 10_000]);
    expect(niceTicks(13, 29)).toEqual([15, 20, 25]);
  });
});

describe('lineChart', () => {
  const svg = lineChart({
    title: 'PSNR <ours> & paper',
    xLabel: 'iteration',
    yLabel: 'PSNR (dB)',
    series: [
      { name: 'ours', points: [[0, 30], [5, 28], [10, 27]] },
      { name: 'paper "preset"', points: [[0, 40], [10, 20]] },
    ],
  });

  it('is well-formed SVG with a title, axes, ticks and a legend', () => {
    const check = checkWellFormedXml(svg);
    expect(check).toMatchObject({ ok: true });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('PSNR &lt;ours&gt; &amp; paper');
    expect(svg.match(/class="tick"/g)!.length).toBeGreaterThanOrEqual(6);
    expect(svg).toContain('>iteration</text>');
    expect(svg).toContain('class="legend"');
  });

  it('draws one polyline per series with all its points inside the plot area', () => {
    const lines = [...svg.matchAll(/<polyline class="series" data-name="([^"]*)"[^>]* points="([^"]*)"/g)];
    expect(lines.map((m) => m[1])).toEqual(['ours', 'paper &quot;preset&quot;']);
    const points = lines[0]![2]!.split(' ').map((p) => p.split(',').map(Number));
    expect(points).toHaveLength(3);
    // Higher PSNR sits higher on the page (smaller y).
    expect(points[0]![1]!).toBeLessThan(points[2]![1]!);
    for (const [x, y] of points) {
      expect(x).toBeGreaterThanOrEqual(70);
      expect(x).toBeLessThanOrEqual(640 - 150 + 1e-9);
      expect(y).toBeGreaterThanOrEqual(40);
      expect(y).toBeLessThanOrEqual(400 - 50);
    }
  });
});
