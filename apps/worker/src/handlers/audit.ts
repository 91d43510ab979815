import { ModelSealError, decodeTriggerSet, recordedTolerance, verify, type VerifyReport } from '@modelseal/core';
import type { JobPayload } from '@modelseal/jobs';
import { openModelRow } from '../adapters.ts';
import type { WorkerContext } from '../context.ts';
import { raiseAuditAlerts } from '../webhooks/raise.ts';

type AuditPayload = JobPayload<'audit'>;

/**
 * What the dashboard shows for each changed sample: labels (and the probability change) only.
 * The inputs stay in the trigger set, which is a secret; the Job row is readable by viewers.
 */
function changedLabels(report: VerifyReport) {
  return report.changed.map((c) => ({
    index: c.index,
    expected: c.expectedLabel,
    observed: c.observedLabel,
    ...(c.maxDelta !== undefined && Number.isFinite(c.maxDelta) ? { maxDelta: c.maxDelta } : {}),
  }));
}

/** Verifies a model against a stored trigger set; records the Audit row, the Job row's result and any alerts, together. */
export async function runAuditJob(context: WorkerContext, payload: AuditPayload, signal: AbortSignal): Promise<{ auditId: string; report: VerifyReport }> {
  const { prisma } = context;
  const triggerSet = await prisma.triggerSet.findUnique({ where: { id: payload.triggerSetId }, include: { model: true } });
  if (!triggerSet) throw new ModelSealError('INVALID_ARGUMENT', `trigger set ${payload.triggerSetId} does not exist`);
  // A set seals the model it was made on; any deployed copy of that model in the same project
  // (another endpoint, a re-upload) is audited against it. Never across projects.
  const model = payload.modelId === triggerSet.modelId ? triggerSet.model : await prisma.model.findUnique({ where: { id: payload.modelId } });
  if (!model) throw new ModelSealError('INVALID_ARGUMENT', `model ${payload.modelId} does not exist`);
  if (model.projectId !== triggerSet.model.projectId) {
    throw new ModelSealError('INVALID_ARGUMENT', `trigger set ${payload.triggerSetId} belongs to another project than model ${payload.modelId}`);
  }
  const decoded = decodeTriggerSet(await context.artifacts.get(triggerSet.artifactRef, { kind: 'trigger-set' }), { signingKey: context.signingKey });
  const set = decoded.triggerSet;
  const adapter = await openModelRow(context, model);
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
          data: { status: 'succeeded', progress: 1, stage: 'done', finishedAt: new Date(), result: { auditId: row.id, intact: report.intact, changeRate: report.changeRate, changed: changedLabels(report) } },
        });
        if (updated.count === 0) throw new ModelSealError('ABORTED', 'the job was cancelled before its result was committed');
      }
      await raiseAuditAlerts(tx, context.boss, row, model);
      if (payload.scheduleId) await tx.auditSchedule.update({ where: { id: payload.scheduleId }, data: { lastRunAt: new Date() } });
      return row;
    });
    return { auditId: audit.id, report };
  } finally {
    await adapter.dispose();
  }
}
