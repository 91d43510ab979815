'use client';
// ChangeRate over time as a hand-drawn SVG: x = when the audit ran, y = share of trigger
// samples whose answer changed (0–100 %). Intact audits are green points, tampered ones red;
// every point has a <title> tooltip and may link to its audit.
import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import { formatDate, formatPercent } from './ui.tsx';

export interface ChangeRatePoint {
  readonly id: string;
  readonly createdAt: string | Date;
  readonly changeRate: number;
  readonly intact: boolean;
  readonly mode?: string;
  readonly trigger?: string;
  readonly queries?: number;
}

const HEIGHT = 220;
const PAD = { top: 12, right: 16, bottom: 32, left: 48 };
const Y_TICKS = [0, 0.25, 0.5, 0.75, 1];

function shortDate(ms: number, spanMs: number): string {
  const date = new Date(ms);
  if (spanMs < 15 * 60_000) return date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  if (spanMs < 36 * 3600_000) return date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (spanMs < 4 * 24 * 3600_000) return date.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  return date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

/** The element's width in CSS pixels, so the chart is drawn at its real size (text stays 11 px). */
function useWidth<T extends HTMLElement>(fallback: number, mounted: boolean) {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => setWidth(Math.max(240, Math.floor(element.clientWidth)));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [mounted]);
  return [ref, width] as const;
}

export function ChangeRateChart({ points, hrefFor, title = 'ChangeRate over time' }: { points: readonly ChangeRatePoint[]; hrefFor?: (id: string) => string; title?: string }) {
  const [ref, WIDTH] = useWidth<HTMLDivElement>(760, points.length > 0);
  if (points.length === 0) {
    return (
      <div className="chart-empty" data-testid="changerate-chart" data-points={0}>
        No audits yet: the chart fills in as audits run.
      </div>
    );
  }
  const times = points.map((p) => new Date(p.createdAt).getTime());
  let t0 = Math.min(...times);
  let t1 = Math.max(...times);
  if (t1 - t0 < 60_000) {
    // One audit (or a burst): centre it in a one-minute window.
    const mid = (t0 + t1) / 2;
    t0 = mid - 30_000;
    t1 = mid + 30_000;
  }
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const x = (t: number) => PAD.left + ((t - t0) / (t1 - t0)) * innerW;
  const y = (rate: number) => PAD.top + (1 - Math.max(0, Math.min(1, rate))) * innerH;
  const coords = points.map((p, i) => ({ p, cx: x(times[i] ?? t0), cy: y(p.changeRate) }));
  const line = coords.map((c, i) => `${i === 0 ? 'M' : 'L'}${c.cx.toFixed(1)},${c.cy.toFixed(1)}`).join(' ');
  const tickCount = Math.max(2, Math.min(6, Math.floor(innerW / 140) + 1));
  const xTicks = Array.from({ length: tickCount }, (_, i) => t0 + (i / (tickCount - 1)) * (t1 - t0));
  const tampered = points.filter((p) => !p.intact).length;
  return (
    <figure className="chart" data-testid="changerate-chart" data-points={points.length}>
      <div ref={ref} className="chart-canvas">
        <svg width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`${title}: ${points.length} audits, ${tampered} tampered`}>
          <title>{title}</title>
          {Y_TICKS.map((tick) => (
            <g key={tick}>
              <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(tick)} y2={y(tick)} className={tick === 0 ? 'chart-axis' : 'chart-grid'} />
              <text x={PAD.left - 8} y={y(tick)} dy="0.32em" textAnchor="end" className="chart-label">
                {Math.round(tick * 100)} %
              </text>
            </g>
          ))}
          {xTicks.map((t, i) => (
            <text key={i} x={x(t)} y={HEIGHT - PAD.bottom + 18} textAnchor={i === 0 ? 'start' : i === xTicks.length - 1 ? 'end' : 'middle'} className="chart-label">
              {shortDate(t, t1 - t0)}
            </text>
          ))}
          <path d={line} className="chart-line" />
          {coords.map(({ p, cx, cy }) => {
            const status = p.intact ? 'intact' : 'tampered';
            const tooltip = [
              formatDate(p.createdAt),
              `ChangeRate ${formatPercent(p.changeRate)}`,
              status,
              p.mode ? `${p.mode} mode` : null,
              p.trigger ? `trigger: ${p.trigger}` : null,
              p.queries !== undefined ? `${p.queries} queries` : null,
            ]
              .filter(Boolean)
              .join(' · ');
            const dot = (
              <circle cx={cx} cy={cy} r={5} className={`chart-point chart-point-${status}`} data-testid="chart-point" data-status={status}>
                <title>{tooltip}</title>
              </circle>
            );
            return hrefFor ? (
              <Link key={p.id} href={hrefFor(p.id)} aria-label={tooltip}>
                {dot}
              </Link>
            ) : (
              <g key={p.id}>{dot}</g>
            );
          })}
        </svg>
      </div>
      <figcaption className="chart-legend small muted">
        <span className="legend-dot legend-intact" /> intact <span className="legend-dot legend-tampered" /> tampered · y: share of trigger samples whose answer changed
      </figcaption>
    </figure>
  );
}
