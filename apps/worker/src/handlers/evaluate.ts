import { ModelSealError } from '@modelseal/core';
import { formatTables, parseStudyConfig, runStudy } from '@modelseal/eval';
import type { JobPayload } from '@modelseal/jobs';
import { openModelRow } from '../adapters.ts';
import type { WorkerContext } from '../context.ts';
import type { JobRowReporter } from '../jobRow.ts';

type EvaluatePayload = JobPayload<'evaluate'>;

/**
 * Runs a detection study (baselines × attacks × seeds) on a registered model. Every attack
 * gets a fresh copy opened through the registry from the model's row, so any white-box
 * adapter works. The full results go to the artifact store; the Job row keeps the tables.
 */
export async function runEvaluateJob(context: WorkerContext, payload: EvaluatePayload, reporter: JobRowReporter, signal: AbortSignal): Promise<void> {
  const { prisma } = context;
  const model = await prisma.model.findUnique({ where: { id: payload.modelId } });
  if (!model) throw new ModelSealError('INVALID_ARGUMENT', `model ${payload.modelId} does not exist`);
  // The study names its model for the report; copies come from the row, not from this field.
  const config = parseStudyConfig({ ...payload.config, model: model.name }, `evaluate job ${payload.jobId}`);

  await reporter.stage('running study');
  const result = await runStudy(config, {
    baseDir: context.datasetsDir,
    openModel: async () => {
      if (signal.aborted) throw new ModelSealError('ABORTED', 'the evaluation was cancelled');
      return openModelRow(context, model);
    },
    onProgress: (p) => reporter.progress(Math.min(0.99, p.done / Math.max(1, p.total))),
  });
  await reporter.flush();

  await reporter.stage('storing report');
  const stored = await context.artifacts.put(new TextEncoder().encode(JSON.stringify(result)), { kind: 'report' });
  const updated = await prisma.job.updateMany({
    where: { id: payload.jobId, status: 'running' },
    data: {
      status: 'succeeded',
      progress: 1,
      stage: 'done',
      finishedAt: new Date(),
      result: { reportRef: stored.ref, tables: formatTables(result), durationMs: Math.round(result.durationMs) },
    },
  });
  if (updated.count === 0) throw new ModelSealError('ABORTED', 'the job was cancelled before its result was committed');
}
