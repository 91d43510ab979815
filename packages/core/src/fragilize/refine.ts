import type { ModelAdapter } from '../adapter/contract.ts';
import { topTwo } from '../tensor/tensor.ts';
import { predictAll } from './gradient.ts';

export interface Bracket {
  /** A point whose top-1 label is `labelA`. */
  readonly from: Float32Array;
  /** A point whose top-1 label is another class, `labelB` (recorded for reports). */
  readonly to: Float32Array;
  readonly labelA: number;
  readonly labelB: number;
}

export interface Refined {
  readonly x: Float32Array;
  readonly p: Float32Array;
  readonly margin: number;
  readonly inBand: boolean;
}

const MAX_BISECTIONS = 40;

/**
 * Once a step has crossed a decision boundary, the segment between the two points
 * contains a point at any margin we like: bisect on p_A − p_B (continuous along the
 * segment) until the top-1/top-2 margin lands in [minMargin, targetMargin]. All
 * brackets advance together, one predict call per bisection step.
 */
export async function refineToBand(
  adapter: ModelAdapter,
  brackets: readonly Bracket[],
  band: { minMargin: number; targetMargin: number },
  signal?: AbortSignal,
): Promise<{ results: (Refined | undefined)[]; queries: number }> {
  const description = adapter.describe();
  const n = description.numClasses;
  const size = brackets[0]?.from.length ?? 0;
  const lo = brackets.map(() => 0);
  const hi = brackets.map(() => 1);
  const results: (Refined | undefined)[] = brackets.map(() => undefined);
  let open = brackets.map((_, i) => i);
  let queries = 0;
  for (let step = 0; step < MAX_BISECTIONS && open.length > 0; step++) {
    const points = open.map((i) => {
      const t = (lo[i]! + hi[i]!) / 2;
      const { from, to } = brackets[i]!;
      const x = new Float32Array(size);
      for (let k = 0; k < size; k++) x[k] = from[k]! + t * (to[k]! - from[k]!);
      return x;
    });
    const batch = new Float32Array(points.length * size);
    points.forEach((x, j) => batch.set(x, j * size));
    const probabilities = await predictAll(adapter, { data: batch, shape: [points.length, ...description.inputShape] }, signal);
    queries += points.length;
    const stillOpen: number[] = [];
    open.forEach((i, j) => {
      const p = probabilities.data.slice(j * n, (j + 1) * n);
      const { top1, top2 } = topTwo(p);
      const margin = top1 - top2;
      const { labelA } = brackets[i]!;
      const t = (lo[i]! + hi[i]!) / 2;
      const best = results[i];
      if (margin >= band.minMargin && (!best || margin < best.margin)) {
        results[i] = { x: points[j]!, p, margin, inBand: margin <= band.targetMargin };
      }
      if (margin >= band.minMargin && margin <= band.targetMargin) return;
      // s = p_A − max_{j≠A} p_j is continuous along the segment and changes sign on it,
      // even when a third class takes the lead in between. Far from the crossing, close in
      // on it; closer than minMargin, step back towards the band on this side.
      let rival = -Infinity;
      for (let c = 0; c < n; c++) if (c !== labelA) rival = Math.max(rival, p[c]!);
      const s = p[labelA]! - rival;
      const tooClose = Math.abs(s) < band.minMargin;
      if (s > 0 !== tooClose) lo[i] = t;
      else hi[i] = t;
      if (hi[i]! - lo[i]! > 1e-9) stillOpen.push(i);
    });
    open = stillOpen;
  }
  return { results, queries };
}
