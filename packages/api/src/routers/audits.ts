import { z } from 'zod';
import type { Context } from '../context.ts';
import { changedSamples } from '../auditDetail.ts';
import { auditJobInput, startAudit } from '../jobStarts.ts';
import { findModel } from '../lookup.ts';
import { notFound, projectProcedure, router } from '../trpc.ts';

const runInput = z.object({ modelId: z.uuid(), triggerSetId: z.uuid(), ...auditJobInput.shape });

async function jobState(ctx: Context, projectId: string, jobId: string) {
  const job = await ctx.prisma.job.findFirst({ where: { id: jobId, projectId } });
  if (!job) throw notFound('job');
  const audit = await ctx.prisma.audit.findFirst({ where: { jobId } });
  return { job, audit };
}

export const auditsRouter = router({
  run: projectProcedure('write', 'audits')
    .input(runInput)
    .mutation(({ ctx, input }) => startAudit(ctx, ctx.project.id, input)),

  /** The audit row, and for each changed sample its expected and (when the audit job recorded it) observed label. */
  get: projectProcedure('read', 'audits')
    .input(z.object({ auditId: z.uuid() }))
    .query(async ({ ctx, input }) => {
      const row = await ctx.prisma.audit.findFirst({ where: { id: input.auditId, model: { projectId: ctx.project.id } }, include: { job: { select: { result: true } } } });
      if (!row) throw notFound('audit');
      const { job, ...audit } = row;
      return { ...audit, changed: await changedSamples(ctx, audit, job?.result ?? null) };
    }),

  /** ChangeRate over time for one model (optionally one trigger set): the latest `limit` audits, oldest first. */
  history: projectProcedure('read', 'audits')
    .input(z.object({ modelId: z.uuid(), triggerSetId: z.uuid().optional(), limit: z.number().int().min(1).max(1000).default(200) }))
    .query(async ({ ctx, input }) => {
      await findModel(ctx, ctx.project.id, input.modelId);
      const rows = await ctx.prisma.audit.findMany({
        where: { modelId: input.modelId, ...(input.triggerSetId ? { triggerSetId: input.triggerSetId } : {}) },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: input.limit,
        select: { id: true, createdAt: true, changeRate: true, intact: true, mode: true, trigger: true, triggerSetId: true, queries: true, durationMs: true },
      });
      return rows.reverse();
    }),

  list: projectProcedure('read', 'audits')
    .input(z.object({ modelId: z.uuid().optional(), intact: z.boolean().optional(), limit: z.number().int().min(1).max(500).default(50) }))
    .query(async ({ ctx, input }) => {
      if (input.modelId) await findModel(ctx, ctx.project.id, input.modelId);
      return ctx.prisma.audit.findMany({
        where: {
          model: { projectId: ctx.project.id },
          ...(input.modelId ? { modelId: input.modelId } : {}),
          ...(input.intact === undefined ? {} : { intact: input.intact }),
        },
        include: { model: { select: { id: true, name: true } }, triggerSet: { select: { id: true, name: true } } },
        orderBy: { createdAt: 'desc' },
        take: input.limit,
      });
    }),

  /** The audit a job wrote, for CI that polls with the jobId from `run`; null until then. */
  byJob: projectProcedure('read', 'audits')
    .input(z.object({ jobId: z.uuid() }))
    .query(({ ctx, input }) => jobState(ctx, ctx.project.id, input.jobId)),

  /**
   * For CI: queues an audit and polls until its job has finished or `timeoutMs` passes. On
   * timeout it answers `done: false` with the jobId (the audit keeps running; poll `byJob`).
   */
  runAndWait: projectProcedure('write', 'audits')
    .input(runInput.extend({ timeoutMs: z.number().int().min(0).max(30 * 60_000).default(5 * 60_000), pollMs: z.number().int().min(50).max(60_000).default(1000) }))
    .mutation(async ({ ctx, input, signal }) => {
      const { jobId } = await startAudit(ctx, ctx.project.id, input);
      const deadline = Date.now() + input.timeoutMs;
      for (;;) {
        const state = await jobState(ctx, ctx.project.id, jobId);
        if (state.job.finishedAt) return { done: true as const, jobId, status: state.job.status, error: state.job.error, audit: state.audit };
        if (Date.now() >= deadline || signal?.aborted) return { done: false as const, jobId, status: state.job.status, error: null, audit: null };
        await new Promise((r) => setTimeout(r, Math.min(input.pollMs, Math.max(0, deadline - Date.now()))));
      }
    }),
});
