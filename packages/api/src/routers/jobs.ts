import { z } from 'zod';
import { notFound, projectProcedure, router } from '../trpc.ts';

const status = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);

export const jobsRouter = router({
  list: projectProcedure('read', 'audits')
    .input(z.object({ status: status.optional(), modelId: z.uuid().optional(), limit: z.number().int().min(1).max(200).default(50) }))
    .query(({ ctx, input }) =>
      ctx.prisma.job.findMany({
        where: { projectId: ctx.project.id, ...(input.status ? { status: input.status } : {}), ...(input.modelId ? { modelId: input.modelId } : {}) },
        orderBy: { createdAt: 'desc' },
        take: input.limit,
      }),
    ),

  /** Progress (0..1), stage, result; for audits also the Audit row's id once written. */
  get: projectProcedure('read', 'audits')
    .input(z.object({ jobId: z.uuid() }))
    .query(async ({ ctx, input }) => {
      const job = await ctx.prisma.job.findFirst({ where: { id: input.jobId, projectId: ctx.project.id }, include: { audits: { select: { id: true } } } });
      if (!job) throw notFound('job');
      const { audits, ...rest } = job;
      return { ...rest, auditId: audits[0]?.id ?? null };
    }),

  /**
   * Marks the Job row cancelled; the worker polls its row and stops the run (and a fragilize
   * run that finishes anyway cannot commit its trigger set: see the worker's fragilize handler).
   */
  cancel: projectProcedure('write', 'models')
    .input(z.object({ jobId: z.uuid() }))
    .mutation(async ({ ctx, input }) => {
      const job = await ctx.prisma.job.findFirst({ where: { id: input.jobId, projectId: ctx.project.id } });
      if (!job) throw notFound('job');
      // A queued job is finished now (the worker will skip it); a running one is finished by
      // the worker once it has stopped, so finishedAt still means "nothing runs any more".
      const queued = await ctx.prisma.job.updateMany({ where: { id: job.id, status: 'queued' }, data: { status: 'cancelled', stage: 'cancelled', finishedAt: new Date() } });
      const running = await ctx.prisma.job.updateMany({ where: { id: job.id, status: 'running' }, data: { status: 'cancelled' } });
      return { cancelled: queued.count + running.count > 0 };
    }),
});
