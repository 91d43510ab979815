// Types of the API's answers as the dashboard sees them. The API uses no data transformer, so
// the dates these types call `Date` arrive as ISO strings: always go through toTime/formatDate.
import type { AppRouter } from '@modelseal/api';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';

export type Outputs = inferRouterOutputs<AppRouter>;
export type Inputs = inferRouterInputs<AppRouter>;

export type DateLike = string | Date | null | undefined;

/** Milliseconds since the epoch of an API date (string over HTTP, Date in-process), or undefined. */
export function toTime(value: DateLike): number | undefined {
  if (!value) return undefined;
  const time = new Date(value).getTime();
  return Number.isFinite(time) ? time : undefined;
}

/** "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const totalS = Math.round(s);
  const min = Math.floor(totalS / 60);
  if (min < 60) return `${min} min ${String(totalS % 60).padStart(2, '0')} s`;
  return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')} min`;
}

/** Time from `from` to `to` (or to now while still open), formatted; '—' when it has not started. */
export function formatSpan(from: DateLike, to: DateLike, now: number = Date.now()): string {
  const start = toTime(from);
  if (start === undefined) return '—';
  return formatDuration((toTime(to) ?? now) - start);
}

/** A short form of an id for tables: the first 8 characters of a UUID. */
export function shortId(id: string | null | undefined): string {
  return id ? id.slice(0, 8) : '—';
}

/** A time of day with seconds ("17:20:33"), for events on the day of a row's date. */
export function formatTime(value: DateLike): string {
  const time = toTime(value);
  return time === undefined ? '—' : new Date(time).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** The date and time when `value` is on another day than `reference`, else only the time. */
export function formatTimeNear(value: DateLike, reference: DateLike): string {
  const a = toTime(value);
  const b = toTime(reference);
  if (a === undefined) return '—';
  if (b !== undefined && new Date(a).toDateString() === new Date(b).toDateString()) return formatTime(new Date(a));
  return new Date(a).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}
