export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
}

export interface LineChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly width?: number;
  readonly height?: number;
  /** Fixed y range, e.g. [0, 1] for probabilities; default: the data's range. */
  readonly yRange?: readonly [number, number];
}

/** Ten distinguishable colours (matplotlib's tab10), so figure 8 can give each class its own. */
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** About `count` round tick values (1, 2 or 5 × 10^k apart) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function formatTick(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  return abs >= 1e5 || abs < 1e-3 ? value.toExponential(0) : String(Number(value.toPrecision(4)));
}

/** A self-contained SVG line chart (no fonts, scripts or external references). */
export function lineChart(options: LineChartOptions): string {
  const width = options.width ?? 640;
  const height = options.height ?? 400;
  const margin = { left: 70, right: 150, top: 40, bottom: 50 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const points = options.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  let [xLo, xHi] = xs.length > 0 ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  let [yLo, yHi] = options.yRange ?? (ys.length > 0 ? [Math.min(...ys), Math.max(...ys)] : [0, 1]);
  if (xHi === xLo) [xLo, xHi] = [xLo - 1, xHi + 1];
  if (yHi === yLo) [yLo, yHi] = [yLo - (Math.abs(yLo) || 1) * 0.1, yHi + (Math.abs(yHi) || 1) * 0.1];
  const sx = (x: number): number => margin.left + ((x - xLo) / (xHi - xLo)) * plotW;
  const sy = (y: number): number => margin.top + plotH - ((y - yLo) / (yHi - yLo)) * plotH;
  const f = (v: number): string => v.toFixed(2);

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(options.title)}</text>`,
    `<g class="axes" stroke="black" fill="none">`,
    `<line x1="${margin.left}" y1="${margin.top + plotH}" x2="${margin.left + plotW}" y2="${margin.top + plotH}"/>`,
    `<line x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${margin.top + plotH}"/>`,
    `</g>`,
  ];
  for (const t of niceTicks(xLo, xHi)) {
    const x = f(sx(t));
    parts.push(
      `<line class="tick" x1="${x}" y1="${margin.top + plotH}" x2="${x}" y2="${margin.top + plotH + 5}" stroke="black"/>`,
      `<text x="${x}" y="${margin.top + plotH + 18}" text-anchor="middle">${formatTick(t)}</text>`,
    );
  }
  for (const t of niceTicks(yLo, yHi)) {
    const y = f(sy(t));
    parts.push(
      `<line class="tick" x1="${margin.left - 5}" y1="${y}" x2="${margin.left}" y2="${y}" stroke="black"/>`,
      `<line x1="${margin.left}" y1="${y}" x2="${margin.left + plotW}" y2="${y}" stroke="#e0e0e0"/>`,
      `<text x="${margin.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${formatTick(t)}</text>`,
    );
  }
  parts.push(
    `<text x="${margin.left + plotW / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    `<text x="16" y="${margin.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 16 ${margin.top + plotH / 2})">${escapeXml(options.yLabel)}</text>`,
  );
  options.series.forEach((series, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const path = series.points
      .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
      .map(([x, y]) => `${f(sx(x))},${f(sy(Math.min(yHi, Math.max(yLo, y))))}`)
      .join(' ');
    parts.push(`<polyline class="series" data-name="${escapeXml(series.name)}" fill="none" stroke="${color}" stroke-width="1.8" points="${path}"/>`);
    const ly = margin.top + 10 + i * 18;
    const lx = margin.left + plotW + 15;
    parts.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 20}" y2="${ly}" stroke="${color}" stroke-width="2.5"/>`,
      `<text class="legend" x="${lx + 26}" y="${ly}" dominant-baseline="middle">${escapeXml(series.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
