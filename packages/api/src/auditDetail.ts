// Which samples an audit saw change, label by label, for the audit page.
import type { Prisma } from '@modelseal/db';
import { z } from 'zod';
import { readTriggerSet } from './artifacts.ts';
import type { Context } from './context.ts';

export interface ChangedSampleDetail {
  readonly index: number;
  /** The label recorded at enrolment. */
  readonly expected: number | null;
  /** The label the audited model answered; null when the audit did not record it (scheduled audits, older audits). */
  readonly observed: number | null;
  /** Probability mode: the largest per-class probability change; null otherwise. */
  readonly maxDelta: number | null;
}

/** What the audit job stores in its Job row's `result` (apps/worker/src/handlers/audit.ts): labels only, never inputs. */
const recordedResult = z.object({
  changed: z.array(z.object({ index: z.number().int().min(0), expected: z.number().int(), observed: z.number().int(), maxDelta: z.number().optional() })),
});

export async function changedSamples(
  ctx: Context,
  audit: { readonly changedIndices: readonly number[]; readonly triggerSetId: string },
  jobResult: Prisma.JsonValue | null,
): Promise<ChangedSampleDetail[]> {
  if (audit.changedIndices.length === 0) return [];
  const parsed = recordedResult.safeParse(jobResult);
  const recorded = new Map(parsed.success ? parsed.data.changed.map((c) => [c.index, c]) : []);
  let expectedLabels: Int32Array | undefined;
  if (audit.changedIndices.some((index) => !recorded.has(index))) {
    // Without a record, the expected labels still are in the trigger set itself. A file that cannot
    // be read leaves them unknown rather than failing the whole audit page.
    const set = await ctx.prisma.triggerSet.findUnique({ where: { id: audit.triggerSetId }, select: { id: true, artifactRef: true } });
    expectedLabels = set ? await readTriggerSet(ctx, set).then((s) => s.labels, () => undefined) : undefined;
  }
  return audit.changedIndices.map((index) => {
    const entry = recorded.get(index);
    if (entry) return { index, expected: entry.expected, observed: entry.observed, maxDelta: entry.maxDelta ?? null };
    return { index, expected: expectedLabels?.[index] ?? null, observed: null, maxDelta: null };
  });
}
