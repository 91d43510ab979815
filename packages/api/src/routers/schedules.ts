import { syncAuditSchedules } from '@modelseal/jobs';
import { z } from 'zod';
import type { Context } from '../context.ts';
import { findModel, findTriggerSet } from '../lookup.ts';
import { notFound, projectProcedure, router } from '../trpc.ts';

/** Five fields (minute to weekday), each a value, range, list or step: what pg-boss' cron accepts. */
const cron = z
  .string()
  .trim()
  .regex(/^(\S+\s+){4}\S+$/, 'a cron expression has five fields: minute hour day-of-month month day-of-week')
  .regex(/^[0-9*/,\-\sA-Za-z]+$/, 'unexpected characters in the cron expression');

/** Copies the schedules into pg-boss at once; the worker also syncs periodically. */
async function sync(ctx: Context): Promise<void> {
  await syncAuditSchedules(ctx.boss, await ctx.prisma.auditSchedule.findMany());
}

async function findSchedule(ctx: Context, projectId: string, scheduleId: string) {
  const schedule = await ctx.prisma.auditSchedule.findFirst({ where: { id: scheduleId, model: { projectId } } });
  if (!schedule) throw notFound('schedule');
  return schedule;
}

export const schedulesRouter = router({
  list: projectProcedure('read', 'schedules').query(({ ctx }) =>
    ctx.prisma.auditSchedule.findMany({ where: { model: { projectId: ctx.project.id } }, orderBy: { createdAt: 'asc' } }),
  ),

  create: projectProcedure('write', 'schedules')
    .input(z.object({ modelId: z.uuid(), triggerSetId: z.uuid(), cron, mode: z.enum(['label', 'probability']).default('label'), enabled: z.boolean().default(true) }))
    .mutation(async ({ ctx, input }) => {
      const model = await findModel(ctx, ctx.project.id, input.modelId);
      const set = await findTriggerSet(ctx, ctx.project.id, input.triggerSetId);
      // As for audits: a set made on the shipped model may watch any deployed copy in the project.
      const row = await ctx.prisma.auditSchedule.create({ data: { modelId: model.id, triggerSetId: set.id, cron: input.cron, mode: input.mode, enabled: input.enabled } });
      await sync(ctx);
      return row;
    }),

  update: projectProcedure('write', 'schedules')
    .input(z.object({ scheduleId: z.uuid(), cron: cron.optional(), mode: z.enum(['label', 'probability']).optional(), enabled: z.boolean().optional() }))
    .mutation(async ({ ctx, input }) => {
      const schedule = await findSchedule(ctx, ctx.project.id, input.scheduleId);
      const row = await ctx.prisma.auditSchedule.update({
        where: { id: schedule.id },
        data: { ...(input.cron ? { cron: input.cron } : {}), ...(input.mode ? { mode: input.mode } : {}), ...(input.enabled === undefined ? {} : { enabled: input.enabled }) },
      });
      await sync(ctx);
      return row;
    }),

  delete: projectProcedure('write', 'schedules')
    .input(z.object({ scheduleId: z.uuid() }))
    .mutation(async ({ ctx, input }) => {
      const schedule = await findSchedule(ctx, ctx.project.id, input.scheduleId);
      await ctx.prisma.auditSchedule.delete({ where: { id: schedule.id } });
      await sync(ctx);
      return { ok: true as const };
    }),
});
