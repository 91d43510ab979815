import { generateApiKey } from '@modelseal/auth';
import { z } from 'zod';
import { notFound, projectProcedure, router } from '../trpc.ts';

/** A Date in-process, an ISO string over HTTP (the API uses no data transformer). */
const expiresAt = z.union([z.date(), z.iso.datetime({ offset: true })]).transform((value) => new Date(value));

/** What lists show: never the hash, never the secret. */
const publicFields = { id: true, name: true, prefix: true, role: true, createdAt: true, lastUsedAt: true, expiresAt: true, revokedAt: true } as const;

export const apiKeysRouter = router({
  /**
   * The whole key is in this answer and nowhere else: only its SHA-256 is stored. Keys act as
   * members or viewers; administering a project (members, keys) stays with people.
   */
  create: projectProcedure('write', 'apiKeys')
    .input(z.object({ name: z.string().min(1).max(200), role: z.enum(['member', 'viewer']).default('member'), expiresAt: expiresAt.optional() }))
    .mutation(async ({ ctx, input }) => {
      const generated = generateApiKey();
      const createdById = ctx.caller.kind === 'user' ? ctx.caller.userId : null;
      const row = await ctx.prisma.apiKey.create({
        data: { projectId: ctx.project.id, name: input.name, role: input.role, prefix: generated.prefix, hash: generated.hash, createdById, expiresAt: input.expiresAt ?? null },
        select: publicFields,
      });
      return { ...row, key: generated.key };
    }),

  list: projectProcedure('read', 'apiKeys').query(({ ctx }) =>
    ctx.prisma.apiKey.findMany({ where: { projectId: ctx.project.id }, select: publicFields, orderBy: { createdAt: 'asc' } }),
  ),

  revoke: projectProcedure('write', 'apiKeys')
    .input(z.object({ apiKeyId: z.uuid() }))
    .mutation(async ({ ctx, input }) => {
      const updated = await ctx.prisma.apiKey.updateMany({ where: { id: input.apiKeyId, projectId: ctx.project.id, revokedAt: null }, data: { revokedAt: new Date() } });
      if (updated.count === 0) {
        const exists = await ctx.prisma.apiKey.count({ where: { id: input.apiKeyId, projectId: ctx.project.id } });
        if (!exists) throw notFound('API key');
      }
      return { ok: true as const };
    }),
});
