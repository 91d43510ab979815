import { ModelSealError, decodeTriggerSet, recordedTolerance, verify, type VerifyReport } from '@modelseal/core';
import type { JobPayload } from '@modelseal/jobs';
import { openModelRow } from '../adapters.ts';
import type { WorkerContext } from '../context.ts';
import { raiseAuditAlerts } from '../webhooks/raise.ts';

type AuditPayload = JobPayload<'audit'>;

/** Verifies a model against a stored trigger set; records the Audit row, the Job row's result and any alerts, together. */
export async function runAuditJob(context: WorkerContext, payload: AuditPayload, signal: AbortSignal): Promise<{ auditId: string; report: VerifyReport }> {
  const { prisma } = context;
  const triggerSet = await prisma.triggerSet.findUnique({ where: { id: payload.triggerSetId }, include: { model: true } });
  if (!triggerSet) throw new ModelSealError('INVALID_ARGUMENT', `trigger set ${payload.triggerSetId} does not exist`);
  if (triggerSet.modelId !== payload.modelId) {
    throw new ModelSealError('INVALID_ARGUMENT', `trigger set ${payload.triggerSetId} does not belong to model ${payload.modelId}`);
  }
  const decoded = decodeTriggerSet(await context.artifacts.get(triggerSet.artifactRef, { kind: 'trigger-set' }), { signingKey: context.signingKey });
  const set = decoded.triggerSet;
  const adapter = await openModelRow(context, triggerSet.model);
  try {
    const tolerance = recordedTolerance(set.metadata.extra);
    const report = await verify({
      adapter,
      inputs: set.inputs,
      labels: set.labels,
      probabilities: set.probabilities,
      mode: payload.mode,
      signal,
      ...(tolerance !== undefined ? { tolerance } : {}),
    });
    const audit = await prisma.$transaction(async (tx) => {
      const row = await tx.audit.create({
        data: {
          modelId: payload.modelId,
          triggerSetId: payload.triggerSetId,
          mode: payload.mode,
          intact: report.intact,
          changeRate: report.changeRate,
          changedIndices: report.changed.map((c) => c.index),
          queries: report.queries,
          durationMs: Math.round(report.durationMs),
          trigger: payload.trigger,
          jobId: payload.jobId ?? null,
          scheduleId: payload.scheduleId ?? null,
          triggeredById: payload.triggeredById ?? null,
          apiKeyId: payload.apiKeyId ?? null,
        },
      });
      if (payload.jobId) {
        const updated = await tx.job.updateMany({
          where: { id: payload.jobId, status: 'running' },
          data: { status: 'succeeded', progress: 1, stage: 'done', finishedAt: new Date(), result: { auditId: row.id, intact: report.intact, changeRate: report.changeRate } },
        });
        if (updated.count === 0) throw new ModelSealError('ABORTED', 'the job was cancelled before its result was committed');
      }
      await raiseAuditAlerts(tx, context.boss, row, triggerSet.model);
      if (payload.scheduleId) await tx.auditSchedule.update({ where: { id: payload.scheduleId }, data: { lastRunAt: new Date() } });
      return row;
    });
    return { auditId: audit.id, report };
  } finally {
    await adapter.dispose();
  }
}
