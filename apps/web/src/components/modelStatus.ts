// Integrity at a glance, from a model's latest audit: never audited reads as unknown.
import type { Integrity } from './ui.tsx';

export function integrityOf(audit: { intact: boolean } | null | undefined): Integrity {
  if (!audit) return 'unknown';
  return audit.intact ? 'intact' : 'tampered';
}

/** Milliseconds as a short duration: 850 ms, 2.4 s, 3 min 05 s. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}

/** A plain object from a Prisma Json column, or an empty one. */
export function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** A short, human summary of a Json value for tables and key/value lists. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : Math.abs(value) < 1e-3 ? value.toExponential(2) : String(Number(value.toPrecision(6)));
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** "default preset · mnist · 100 samples · seed 0" from a trigger set's params. */
export function paramsSummary(params: unknown): string {
  const p = asRecord(params);
  const parts: string[] = [];
  if (typeof p.preset === 'string') parts.push(`${p.preset} preset`);
  if (typeof p.dataset === 'string') parts.push(p.dataset);
  if (typeof p.objective === 'string') parts.push(p.objective);
  if (typeof p.seed === 'number') parts.push(`seed ${p.seed}`);
  return parts.length > 0 ? parts.join(' · ') : '—';
}

/**
 * The class a default-preset trigger set put on top of its ties, from the fragilize job's
 * stats: the probe's choice and what its fine-tune flipped, or why no probe ran.
 */
export function tieTopSummary(stats: Record<string, unknown>): { value: string; hint: string } | null {
  const tieTop = asRecord(stats.tieTop);
  if (typeof tieTop.chosen !== 'string') return null;
  const flips = asRecord(tieTop.flips);
  if (typeof flips.runnerUp === 'number' && typeof flips.last === 'number') {
    const percent = (v: number): string => `${Math.round(v * 100)} %`;
    return { value: tieTop.chosen, hint: `probe fine-tune flipped ${percent(flips.runnerUp)} with the runner-up on top, ${percent(flips.last)} with the least supported class` };
  }
  return { value: tieTop.chosen, hint: `no probe: ${typeof tieTop.skipped === 'string' ? tieTop.skipped : 'not run'}` };
}
