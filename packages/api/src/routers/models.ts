import type { Prisma } from '@modelseal/db';
import { z } from 'zod';
import { adapterKindSchema, checkArtifactRef, checkConfig, checkModelPath, insertModel, modelNameSchema } from '../models/fields.ts';
import { uploadModel } from '../upload/upload.ts';
import { authedProcedure, notFound, projectProcedure, router } from '../trpc.ts';

export { BUILT_IN_ADAPTER_KINDS } from '../models/fields.ts';

export const modelsRouter = router({
  register: projectProcedure('write', 'models')
    .input(
      z.object({
        name: modelNameSchema,
        adapterKind: adapterKindSchema,
        config: z.record(z.string(), z.unknown()),
        artifactRef: z.string().min(1).max(1000).optional(),
        fingerprint: z.string().min(1).max(200).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      checkConfig(ctx, input.adapterKind, input.config);
      const bundleDigest = await checkArtifactRef(ctx, ctx.project.id, input.artifactRef);
      await checkModelPath(ctx, input.config, bundleDigest);
      return insertModel(ctx, {
        projectId: ctx.project.id,
        name: input.name,
        adapterKind: input.adapterKind,
        config: input.config as Prisma.InputJsonObject,
        artifactRef: input.artifactRef ?? null,
        fingerprint: input.fingerprint ?? null,
      });
    }),

  /**
   * Registers a model from uploaded files (multipart form: projectId, name, adapterKind, optional
   * config as JSON, and one "files" field per file, named by its path in the model folder). The
   * model is opened once before it is accepted. Clients send it through a non-batching httpLink.
   */
  upload: authedProcedure.input(z.instanceof(FormData)).mutation(({ ctx, input }) => uploadModel(ctx, input)),

  /** Every model with its latest audit, for the dashboard's status column. */
  list: projectProcedure('read', 'models').query(async ({ ctx }) => {
    const rows = await ctx.prisma.model.findMany({
      where: { projectId: ctx.project.id },
      orderBy: { createdAt: 'asc' },
      include: { audits: { orderBy: { createdAt: 'desc' }, take: 1 }, _count: { select: { triggerSets: true } } },
    });
    return rows.map(({ audits, _count, ...model }) => ({ ...model, triggerSetCount: _count.triggerSets, latestAudit: audits[0] ?? null }));
  }),

  get: projectProcedure('read', 'models')
    .input(z.object({ modelId: z.uuid() }))
    .query(async ({ ctx, input }) => {
      const model = await ctx.prisma.model.findFirst({ where: { id: input.modelId, projectId: ctx.project.id } });
      if (!model) throw notFound('model');
      return model;
    }),
});
