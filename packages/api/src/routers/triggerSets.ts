import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { enqueue, fragilizePayloadSchema } from '@modelseal/jobs';
import { TRPCError } from '@trpc/server';
import { fromPrisma } from 'pg-boss';
import { z } from 'zod';
import type { Context } from '../context.ts';
import { actingUserId, findModel, findTriggerSet } from '../lookup.ts';
import { projectProcedure, router } from '../trpc.ts';

// The fragilize job's own options, so the API and the worker agree on them; the ids are filled in here.
const { jobId: _jobId, modelId: _modelId, triggerSetName: _name, ...fragilizeOptions } = fragilizePayloadSchema.shape;

/** Metadata only: the samples (inputs) live in the file, which only downloadInputs returns. */
const metadata = { id: true, modelId: true, name: true, params: true, stats: true, signature: true, sampleCount: true, createdAt: true } as const;

/** Reads a stored trigger-set file: a content-store ref, or a path inside the artifacts folder (what the worker writes). */
async function readArtifact(ctx: Context, ref: string): Promise<Buffer> {
  if (ref.startsWith('sha256:')) {
    if (!ctx.artifacts) throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'no artifact store is configured' });
    return ctx.artifacts.get(ref, { kind: 'trigger-set' });
  }
  const root = resolve(ctx.artifactsDir);
  const path = resolve(root, ref);
  const inside = relative(root, path);
  // Refs come from the database, but a path must never leave the artifacts folder.
  if (isAbsolute(ref) || inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'trigger set has an invalid artifact reference' });
  }
  return readFile(path);
}

export const triggerSetsRouter = router({
  /** Queues fragilization; the Job row and the queued job are committed together or not at all. */
  create: projectProcedure('write', 'triggerSetInputs')
    .input(z.object({ modelId: z.uuid(), name: z.string().min(1).max(200), ...fragilizeOptions }))
    .mutation(async ({ ctx, input }) => {
      const { projectId: _projectId, modelId, name, ...options } = input;
      const model = await findModel(ctx, ctx.project.id, modelId);
      return ctx.prisma.$transaction(async (tx) => {
        const job = await tx.job.create({
          data: { projectId: ctx.project.id, type: 'fragilize', modelId: model.id, createdById: actingUserId(ctx), input: { name, ...options } },
        });
        await enqueue(ctx.boss, 'fragilize', { ...options, jobId: job.id, modelId: model.id, triggerSetName: name }, { db: fromPrisma(tx) });
        return { jobId: job.id };
      });
    }),

  list: projectProcedure('read', 'models')
    .input(z.object({ modelId: z.uuid().optional() }))
    .query(({ ctx, input }) =>
      ctx.prisma.triggerSet.findMany({
        where: { model: { projectId: ctx.project.id }, ...(input.modelId ? { modelId: input.modelId } : {}) },
        select: metadata,
        orderBy: { createdAt: 'desc' },
      }),
    ),

  get: projectProcedure('read', 'models')
    .input(z.object({ triggerSetId: z.uuid() }))
    .query(async ({ ctx, input }) => {
      const set = await findTriggerSet(ctx, ctx.project.id, input.triggerSetId);
      const { artifactRef: _ref, ...rest } = set;
      return rest;
    }),

  /** The trigger-set file itself (safetensors, base64): a secret, so viewers get FORBIDDEN. */
  downloadInputs: projectProcedure('read', 'triggerSetInputs')
    .input(z.object({ triggerSetId: z.uuid() }))
    .query(async ({ ctx, input }) => {
      const set = await findTriggerSet(ctx, ctx.project.id, input.triggerSetId);
      const bytes = await readArtifact(ctx, set.artifactRef);
      return { fileName: `${set.name}.safetensors`, contentType: 'application/octet-stream', base64: bytes.toString('base64') };
    }),
});
