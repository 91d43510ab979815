import {
  chooseGradient,
  ModelSealError,
  resolveSettings,
  triggerSetFromFragilization,
  encodeTriggerSet,
} from '@modelseal/core';
import { fragilizeFromDataset, loadDataset, type Dataset } from '@modelseal/datasets';
import type { JobPayload } from '@modelseal/jobs';
import { openModelRow } from '../adapters.ts';
import type { WorkerContext } from '../context.ts';
import type { JobRowReporter } from '../jobRow.ts';
import { fitSampleSet, isSampleSetSpec, openSampleSet, type SampleSetSource } from '../sampleSets.ts';

type FragilizePayload = JobPayload<'fragilize'>;

export async function runFragilizeJob(context: WorkerContext, payload: FragilizePayload, reporter: JobRowReporter, signal: AbortSignal): Promise<void> {
  const { prisma } = context;
  await reporter.stage('loading dataset');
  const model = await prisma.model.findUnique({ where: { id: payload.modelId } });
  if (!model) throw new ModelSealError('INVALID_ARGUMENT', `model ${payload.modelId} does not exist`);
  // An uploaded sample set is loaded only while one of the job's own project holds it.
  let sampleSet: SampleSetSource | undefined;
  let dataset: Dataset;
  if (isSampleSetSpec(payload.dataset)) {
    const job = await prisma.job.findUnique({ where: { id: payload.jobId }, select: { projectId: true } });
    if (!job || job.projectId !== model.projectId) throw new ModelSealError('INVALID_ARGUMENT', `job ${payload.jobId} and its model are not in one project`);
    sampleSet = await openSampleSet(context, job.projectId, payload.dataset);
    dataset = await sampleSet.load();
  } else {
    dataset = await loadDataset(payload.dataset, { cwd: context.datasetsDir });
  }

  await reporter.stage('loading model');
  const adapter = await openModelRow(context, model);
  try {
    const description = adapter.describe();
    if (sampleSet) dataset = await fitSampleSet(sampleSet, dataset, description, model.name);
    await reporter.stage('selecting samples');
    const gradient = chooseGradient(adapter, { seed: payload.seed, ...(payload.gradient ? { kind: payload.gradient } : {}) });
    const settings = resolveSettings({ preset: payload.preset });
    const { result, indices, replaced, candidates } = await fragilizeFromDataset(adapter, dataset.test, {
      count: payload.count,
      gradient,
      preset: payload.preset,
      seed: payload.seed,
      signal,
      probeImages: dataset.train,
      ...(payload.objective ? { objective: payload.objective } : {}),
      ...(payload.epsilon !== undefined ? { epsilon: payload.epsilon } : {}),
      ...(payload.maxIterations !== undefined ? { maxIterations: payload.maxIterations } : {}),
      onCandidates: () => reporter.stage('fragilizing'),
      // Early-stopping presets finish sample by sample; the paper's fixed loop counts iterations.
      // Spares for samples that missed their band take the last few percent. Capped below 1
      // so only the committed result reads as complete.
      onProgress: (p, { round }) => {
        const fraction = settings.earlyStop ? (p.total - p.active) / p.total : p.iteration / p.maxIterations;
        reporter.progress(Math.min(0.99, round === 0 ? 0.95 * fraction : 0.95 + 0.04 * fraction));
      },
    });

    await reporter.stage('writing trigger set');
    const triggerSet = triggerSetFromFragilization(result, description, {
      classNames: dataset.classNames,
      extra: { dataset: dataset.name, split: 'test', sampleIndices: indices },
    });
    // Content-addressed: a retried attempt that makes the same set stores it once.
    const stored = await context.artifacts.put(encodeTriggerSet(triggerSet, { signingKey: context.signingKey }), { kind: 'trigger-set' });


    const stats = {
      samples: result.samples.length,
      converged: result.samples.filter((s) => s.converged).length,
      iterations: result.iterations,
      queries: result.queries,
      gradient: result.gradientSource,
      durationMs: Math.round(result.durationMs),
      screenedAccuracy: candidates.screenedAccuracy,
      replacedSamples: replaced,
      // Which tied class went on top and what the probe fine-tune saw (default preset).
      ...(result.tieTop ? { tieTop: { chosen: result.tieTop.chosen, flips: result.tieTop.flips, ...(result.tieTop.skipped ? { skipped: result.tieTop.skipped } : {}) } } : {}),
    };
    // Progress writes must not land after the final state.
    await reporter.close();
    await prisma.$transaction(async (tx) => {
      const set = await tx.triggerSet.create({
        data: {
          modelId: model.id,
          name: payload.triggerSetName,
          params: { ...result.settings, dataset: payload.dataset, count: payload.count },
          stats,
          signature: context.signingKey ? 'hmac-sha256' : null,
          artifactRef: stored.ref,
          sampleCount: result.samples.length,
        },
      });
      // Committed together with the trigger set, and only while the job is still ours:
      // a cancellation that arrived during the run rolls the trigger set back.
      const updated = await tx.job.updateMany({
        where: { id: payload.jobId, status: 'running' },
        data: { status: 'succeeded', progress: 1, stage: 'done', finishedAt: new Date(), triggerSetId: set.id, result: { triggerSetId: set.id, ...stats } },
      });
      if (updated.count === 0) throw new ModelSealError('ABORTED', 'the job was cancelled before its result was committed');
    });
  } finally {
    await adapter.dispose();
  }
}
