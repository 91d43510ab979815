import { canRead } from '@modelseal/auth';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { readArtifact, readTriggerSet } from '../artifacts.ts';
import { fragilizeOptions, sampleSetDataset, startFragilize } from '../jobStarts.ts';
import { findTriggerSet } from '../lookup.ts';
import { findOriginals, projectDatasetLoader } from '../originals.ts';
import { buildPreview } from '../triggerSetPreview.ts';
import { projectProcedure, router } from '../trpc.ts';

/** Metadata only: the samples (inputs) live in the file, which only downloadInputs returns. */
const metadata = { id: true, modelId: true, name: true, params: true, stats: true, signature: true, sampleCount: true, createdAt: true } as const;

const datasetSpec = (value: unknown): string[] => {
  const spec = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>).dataset : value;
  return typeof spec === 'string' && spec !== '' ? [spec] : [];
};

export const triggerSetsRouter = router({
  /**
   * Queues fragilization of samples from a dataset (`dataset`, a spec such as "mnist") or from a
   * sample set uploaded to this project (`sampleSetId`, see sampleSets.upload): exactly one of the
   * two. The Job row and the queued job are committed together or not at all.
   */
  create: projectProcedure('write', 'triggerSetInputs')
    .input(
      z
        .object({ modelId: z.uuid(), name: z.string().min(1).max(200), ...fragilizeOptions, dataset: fragilizeOptions.dataset.optional(), sampleSetId: z.uuid().optional() })
        .refine((input) => (input.dataset === undefined) !== (input.sampleSetId === undefined), { message: 'give either dataset or sampleSetId (exactly one)', path: ['dataset'] }),
    )
    .mutation(async ({ ctx, input }) => {
      const { projectId: _projectId, modelId, sampleSetId, dataset, ...job } = input;
      const spec = sampleSetId === undefined ? dataset : await sampleSetDataset(ctx, ctx.project.id, sampleSetId);
      if (spec === undefined) throw new TRPCError({ code: 'BAD_REQUEST', message: 'give either dataset or sampleSetId' });
      return startFragilize(ctx, ctx.project.id, modelId, { ...job, dataset: spec });
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

  /**
   * A page of samples for the dashboard: labels, recorded probabilities and margins for every
   * reader; the pictures (fragile sample and original, as PNG data URLs) only for callers who
   * may read trigger-set inputs, since whoever sees the inputs can tune a tampered model to them.
   */
  preview: projectProcedure('read', 'models')
    .input(z.object({ triggerSetId: z.uuid(), offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(100).default(24) }))
    .query(async ({ ctx, input }) => {
      const row = await findTriggerSet(ctx, ctx.project.id, input.triggerSetId);
      const set = await readTriggerSet(ctx, row);
      // The name the file records first (image folders are recorded with their absolute path),
      // then the spec the fragilize job was given.
      const specs = [...datasetSpec(set.metadata.extra.dataset), ...datasetSpec(row.params)];
      const originals = input.offset < set.labels.length ? await findOriginals(set, specs, projectDatasetLoader(ctx, ctx.project.id)) : undefined;
      return buildPreview(set, { offset: input.offset, limit: input.limit, canSeeInputs: canRead(ctx.project.role, 'triggerSetInputs'), originals });
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
