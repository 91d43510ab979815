import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Context } from '../context.ts';
import { notFound, projectProcedure, router } from '../trpc.ts';

const url = z.url({ protocol: /^https?$/ }).max(2000);

/** The signing secret is shown at creation only; lists never repeat it. */
const publicFields = { id: true, url: true, onlyOnTamper: true, enabled: true, createdAt: true, updatedAt: true } as const;

async function findWebhook(ctx: Context, projectId: string, webhookId: string) {
  const hook = await ctx.prisma.alertWebhook.findFirst({ where: { id: webhookId, projectId } });
  if (!hook) throw notFound('webhook');
  return hook;
}

export const webhooksRouter = router({
  list: projectProcedure('read', 'webhooks').query(({ ctx }) =>
    ctx.prisma.alertWebhook.findMany({ where: { projectId: ctx.project.id }, select: publicFields, orderBy: { createdAt: 'asc' } }),
  ),

  /** Recent deliveries (newest first), of one webhook or for one audit; payloads hold results, never secrets. */
  deliveries: projectProcedure('read', 'webhooks')
    .input(z.object({ webhookId: z.uuid().optional(), auditId: z.uuid().optional(), limit: z.number().int().min(1).max(200).default(50) }))
    .query(({ ctx, input }) =>
      ctx.prisma.webhookDelivery.findMany({
        where: {
          webhook: { projectId: ctx.project.id },
          ...(input.webhookId ? { webhookId: input.webhookId } : {}),
          ...(input.auditId ? { auditId: input.auditId } : {}),
        },
        select: {
          id: true,
          webhookId: true,
          auditId: true,
          event: true,
          status: true,
          attempts: true,
          responseStatus: true,
          error: true,
          createdAt: true,
          deliveredAt: true,
          nextAttemptAt: true,
          webhook: { select: { url: true } },
        },
        orderBy: { createdAt: 'desc' },
        take: input.limit,
      }),
    ),

  /** Answers the HMAC secret receivers verify deliveries with; it is not shown again. */
  create: projectProcedure('write', 'webhooks')
    .input(z.object({ url, onlyOnTamper: z.boolean().default(true), enabled: z.boolean().default(true) }))
    .mutation(async ({ ctx, input }) => {
      const secret = randomBytes(32).toString('base64url');
      const row = await ctx.prisma.alertWebhook.create({ data: { projectId: ctx.project.id, url: input.url, onlyOnTamper: input.onlyOnTamper, enabled: input.enabled, secret }, select: publicFields });
      return { ...row, secret };
    }),

  update: projectProcedure('write', 'webhooks')
    .input(z.object({ webhookId: z.uuid(), url: url.optional(), onlyOnTamper: z.boolean().optional(), enabled: z.boolean().optional() }))
    .mutation(async ({ ctx, input }) => {
      const hook = await findWebhook(ctx, ctx.project.id, input.webhookId);
      return ctx.prisma.alertWebhook.update({
        where: { id: hook.id },
        data: {
          ...(input.url ? { url: input.url } : {}),
          ...(input.onlyOnTamper === undefined ? {} : { onlyOnTamper: input.onlyOnTamper }),
          ...(input.enabled === undefined ? {} : { enabled: input.enabled }),
        },
        select: publicFields,
      });
    }),

  delete: projectProcedure('write', 'webhooks')
    .input(z.object({ webhookId: z.uuid() }))
    .mutation(async ({ ctx, input }) => {
      const hook = await findWebhook(ctx, ctx.project.id, input.webhookId);
      await ctx.prisma.alertWebhook.delete({ where: { id: hook.id } });
      return { ok: true as const };
    }),
});
