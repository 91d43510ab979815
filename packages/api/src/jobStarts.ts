// Queuing jobs: each writes its Job row and its pg-boss job in one transaction, so either both
// exist or neither does. Used by the procedures that start jobs and by jobs.retry, which must
// queue a job exactly as it was queued the first time.
import { parseRef } from '@modelseal/artifacts';
import type { Prisma } from '@modelseal/db';
import { enqueue, fragilizePayloadSchema, parseSampleSetSpec, sampleSetSpec } from '@modelseal/jobs';
import { TRPCError } from '@trpc/server';
import { fromPrisma } from 'pg-boss';
import { z } from 'zod';
import type { Context } from './context.ts';
import { actingUserId, findModel, findTriggerSet } from './lookup.ts';
import { notFound } from './trpc.ts';

// The fragilize job's own options, so the API and the worker agree on them; the ids are filled in here.
const { jobId: _jobId, modelId: _modelId, triggerSetName: _name, ...fragilizeOptionShape } = fragilizePayloadSchema.shape;
export const fragilizeOptions = fragilizeOptionShape;

// What each kind of Job row keeps as `input`: everything needed to queue the same run again,
// besides the model and trigger set, which have columns of their own.
export const fragilizeJobInput = z.object({ name: z.string().min(1).max(200), ...fragilizeOptions });
export const auditJobInput = z.object({ mode: z.enum(['label', 'probability']).default('label') });
export const evaluateJobInput = z.object({ config: z.record(z.string(), z.unknown()) });

export type FragilizeJobInput = z.output<typeof fragilizeJobInput>;
export type AuditMode = z.output<typeof auditJobInput>['mode'];

/** The `sample-set:` dataset spec of a sample set of this project (NOT_FOUND for any other id). */
export async function sampleSetDataset(ctx: Context, projectId: string, sampleSetId: string): Promise<string> {
  const set = await ctx.prisma.sampleSet.findFirst({ where: { id: sampleSetId, projectId }, select: { artifactRef: true } });
  if (!set) throw notFound('sample set');
  return sampleSetSpec(parseRef(set.artifactRef));
}

/**
 * The sample set a `sample-set:` dataset spec names, which must be one of this project's: a
 * digest learnt elsewhere opens nothing. Undefined for every other spec.
 */
async function sampleSetOfSpec(ctx: Context, projectId: string, dataset: string): Promise<{ id: string; name: string } | undefined> {
  let digest: string | undefined;
  try {
    digest = parseSampleSetSpec(dataset);
  } catch (error) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: (error as Error).message });
  }
  if (digest === undefined) return undefined;
  const set = await ctx.prisma.sampleSet.findFirst({ where: { projectId, artifactRef: `sha256:${digest}` }, select: { id: true, name: true }, orderBy: { createdAt: 'asc' } });
  if (!set) throw notFound('sample set');
  return set;
}

export async function startFragilize(ctx: Context, projectId: string, modelId: string, input: FragilizeJobInput): Promise<{ jobId: string }> {
  const model = await findModel(ctx, projectId, modelId);
  const { name, ...options } = input;
  // Recorded beside the spec for people (the dashboard names the set); the worker checks the spec again.
  const sampleSet = await sampleSetOfSpec(ctx, projectId, options.dataset);
  const recorded = { name, ...options, ...(sampleSet ? { sampleSetId: sampleSet.id, sampleSetName: sampleSet.name } : {}) };
  return ctx.prisma.$transaction(async (tx) => {
    const job = await tx.job.create({
      data: { projectId, type: 'fragilize', modelId: model.id, createdById: actingUserId(ctx), input: recorded },
    });
    await enqueue(ctx.boss, 'fragilize', { ...options, jobId: job.id, modelId: model.id, triggerSetName: name }, { db: fromPrisma(tx) });
    return { jobId: job.id };
  });
}

/**
 * A model and a trigger set of this project. The set need not have been made on this model: a
 * seal made on the shipped model verifies each deployed copy of it (another endpoint, a
 * re-upload), which is registered as a model of its own.
 */
async function triggerSetOfModel(ctx: Context, projectId: string, modelId: string, triggerSetId: string) {
  const model = await findModel(ctx, projectId, modelId);
  const set = await findTriggerSet(ctx, projectId, triggerSetId);
  return { model, set };
}

export async function startAudit(ctx: Context, projectId: string, input: { modelId: string; triggerSetId: string; mode: AuditMode }): Promise<{ jobId: string }> {
  const { model, set } = await triggerSetOfModel(ctx, projectId, input.modelId, input.triggerSetId);
  const { caller } = ctx;
  const triggeredById = actingUserId(ctx);
  return ctx.prisma.$transaction(async (tx) => {
    const job = await tx.job.create({
      data: { projectId, type: 'audit', modelId: model.id, triggerSetId: set.id, createdById: triggeredById, input: { mode: input.mode } },
    });
    await enqueue(
      ctx.boss,
      'audit',
      {
        jobId: job.id,
        modelId: model.id,
        triggerSetId: set.id,
        mode: input.mode,
        // An API key is a machine (CI); a person clicking is a manual audit.
        trigger: caller.kind === 'apiKey' ? 'api' : 'manual',
        ...(triggeredById ? { triggeredById } : {}),
        ...(caller.kind === 'apiKey' ? { apiKeyId: caller.apiKeyId } : {}),
      },
      { db: fromPrisma(tx) },
    );
    return { jobId: job.id };
  });
}

/** An evaluation study; the worker validates `config` (@modelseal/eval) when the job runs. */
export async function startEvaluate(
  ctx: Context,
  projectId: string,
  input: { modelId: string; triggerSetId: string; config: Record<string, unknown> },
): Promise<{ jobId: string }> {
  const { model, set } = await triggerSetOfModel(ctx, projectId, input.modelId, input.triggerSetId);
  return ctx.prisma.$transaction(async (tx) => {
    const job = await tx.job.create({
      data: {
        projectId,
        type: 'evaluate',
        modelId: model.id,
        triggerSetId: set.id,
        createdById: actingUserId(ctx),
        input: { config: input.config as Prisma.InputJsonObject },
      },
    });
    await enqueue(ctx.boss, 'evaluate', { jobId: job.id, modelId: model.id, triggerSetId: set.id, config: input.config }, { db: fromPrisma(tx) });
    return { jobId: job.id };
  });
}
