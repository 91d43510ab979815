import { Prisma } from '@modelseal/db';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { Context } from '../context.ts';
import { notFound, projectProcedure, router } from '../trpc.ts';

/** The adapters ModelSeal ships; third-party kinds are accepted when the host's registry knows them. */
export const BUILT_IN_ADAPTER_KINDS = ['tfjs', 'onnx', 'http'] as const;

const adapterKind = z.string().min(1).max(100).regex(/^[a-z0-9][a-z0-9-]*$/);

/** Validates a config with the adapter's own schema when the host passed a registry; see ApiDeps.adapters. */
function checkConfig(ctx: Context, kind: string, config: Record<string, unknown>): void {
  const registry = ctx.adapters;
  if (!registry) {
    if (!(BUILT_IN_ADAPTER_KINDS as readonly string[]).includes(kind)) {
      throw new TRPCError({ code: 'BAD_REQUEST', message: `unknown adapter kind "${kind}" (known: ${BUILT_IN_ADAPTER_KINDS.join(', ')})` });
    }
    return;
  }
  if (!registry.has(kind)) {
    const known = registry.list().map((f) => f.kind).join(', ');
    throw new TRPCError({ code: 'BAD_REQUEST', message: `unknown adapter kind "${kind}" (known: ${known})` });
  }
  const parsed = registry.get(kind).configSchema.safeParse(config);
  if (!parsed.success) throw new TRPCError({ code: 'BAD_REQUEST', message: `invalid ${kind} config: ${z.prettifyError(parsed.error as z.ZodError)}` });
}

export const modelsRouter = router({
  register: projectProcedure('write', 'models')
    .input(
      z.object({
        name: z.string().min(1).max(200),
        adapterKind,
        config: z.record(z.string(), z.unknown()),
        artifactRef: z.string().min(1).max(1000).optional(),
        fingerprint: z.string().min(1).max(200).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      checkConfig(ctx, input.adapterKind, input.config);
      try {
        return await ctx.prisma.model.create({
          data: {
            projectId: ctx.project.id,
            name: input.name,
            adapterKind: input.adapterKind,
            config: input.config as Prisma.InputJsonObject,
            artifactRef: input.artifactRef ?? null,
            fingerprint: input.fingerprint ?? null,
          },
        });
      } catch (error) {
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
          throw new TRPCError({ code: 'CONFLICT', message: 'a model with this name already exists in the project' });
        }
        throw error;
      }
    }),

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
