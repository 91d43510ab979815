import { enqueue } from '@modelseal/jobs';
import { TRPCError } from '@trpc/server';
import { fromPrisma } from 'pg-boss';
import { z } from 'zod';
import type { Context } from '../context.ts';
import { actingUserId, findModel, findTriggerSet } from '../lookup.ts';
import { notFound, projectProcedure, router } from '../trpc.ts';

const runInput = z.object({ modelId: z.uuid(), triggerSetId: z.uuid(), mode: z.enum(['label', 'probability']).default('label') });

/** Queues an audit with its Job row, in one transaction. */
async function startAudit(ctx: Context, projectId: string, input: z.output<typeof runInput>): Promise<{ jobId: string }> {
  const model = await findModel(ctx, projectId, input.modelId);
  const set = await findTriggerSet(ctx, projectId, input.triggerSetId);
  if (set.modelId !== model.id) throw new TRPCError({ code: 'BAD_REQUEST', message: 'this trigger set was made for another model' });
  const { caller } = ctx;
  return ctx.prisma.$transaction(async (tx) => {
    const job = await tx.job.create({
      data: { projectId, type: 'audit', modelId: model.id, triggerSetId: set.id, createdById: actingUserId(ctx), input: { mode: input.mode } },
    });
    const triggeredById = actingUserId(ctx);
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

  get: projectProcedure('read', 'audits')
    .input(z.object({ auditId: z.uuid() }))
    .query(async ({ ctx, input }) => {
      const audit = await ctx.prisma.audit.findFirst({ where: { id: input.auditId, model: { projectId: ctx.project.id } } });
      if (!audit) throw notFound('audit');
      return audit;
    }),

  list: projectProcedure('read', 'audits')
    .input(z.object({ modelId: z.uuid(), limit: z.number().int().min(1).max(500).default(50) }))
    .query(async ({ ctx, input }) => {
      await findModel(ctx, ctx.project.id, input.modelId);
      return ctx.prisma.audit.findMany({ where: { modelId: input.modelId }, orderBy: { createdAt: 'desc' }, take: input.limit });
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
