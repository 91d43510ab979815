import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { auditJobInput, evaluateJobInput, fragilizeJobInput, startAudit, startEvaluate, startFragilize } from '../jobStarts.ts';
import { assertCan, notFound, projectProcedure, router } from '../trpc.ts';

const status = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
const jobType = z.enum(['fragilize', 'verify', 'evaluate', 'audit']);

/** Job kinds that can be queued again from their Job row. */
const RETRYABLE_TYPES: ReadonlySet<string> = new Set(['fragilize', 'evaluate', 'audit']);

/** Finished without success: failed, or cancelled and stopped (a cancelled job may still be winding down). */
function canRetry(job: { type: string; status: string; finishedAt: Date | null }): boolean {
  return RETRYABLE_TYPES.has(job.type) && (job.status === 'failed' || job.status === 'cancelled') && job.finishedAt !== null;
}

function badRequest(message: string): TRPCError {
  return new TRPCError({ code: 'BAD_REQUEST', message });
}

/** The Job row's stored input, in the shape its kind needs to be queued again. */
function storedInput<Schema extends z.ZodType>(job: { id: string; type: string; input: unknown }, schema: Schema): z.output<Schema> {
  const parsed = schema.safeParse(job.input);
  if (!parsed.success) throw badRequest(`${job.type} job ${job.id} cannot be retried: its stored input is incomplete (${z.prettifyError(parsed.error)})`);
  return parsed.data;
}

export const jobsRouter = router({
  /**
   * For the live jobs table: newest first, at most `limit`, optionally only some statuses,
   * kinds or one model; each row names its model and says whether `retry` would take it.
   */
  list: projectProcedure('read', 'audits')
    .input(
      z.object({
        status: z.union([status, z.array(status).min(1)]).optional(),
        type: jobType.optional(),
        modelId: z.uuid().optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(async ({ ctx, input }) => {
      const statuses = input.status === undefined ? undefined : Array.isArray(input.status) ? input.status : [input.status];
      const rows = await ctx.prisma.job.findMany({
        where: {
          projectId: ctx.project.id,
          ...(statuses ? { status: { in: statuses } } : {}),
          ...(input.type ? { type: input.type } : {}),
          ...(input.modelId ? { modelId: input.modelId } : {}),
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: input.limit,
        include: { model: { select: { name: true } } },
      });
      return rows.map(({ model, ...job }) => ({ ...job, modelName: model?.name ?? null, retryable: canRetry(job) }));
    }),

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

  /**
   * Queues a failed or cancelled job again, as a new Job row with the same model, trigger set
   * and input (the old row stays as the record of what went wrong). Each call queues one more
   * job. The caller needs the role that starting such a job takes.
   */
  retry: projectProcedure('write', 'models')
    .input(z.object({ jobId: z.uuid() }))
    .mutation(async ({ ctx, input }) => {
      const projectId = ctx.project.id;
      const job = await ctx.prisma.job.findFirst({ where: { id: input.jobId, projectId } });
      if (!job) throw notFound('job');
      if (!RETRYABLE_TYPES.has(job.type)) throw badRequest(`${job.type} jobs cannot be retried`);
      if (job.status !== 'failed' && job.status !== 'cancelled') {
        throw badRequest(`job ${job.id} is ${job.status}: only a failed or cancelled job can be retried`);
      }
      if (!job.finishedAt) throw badRequest(`job ${job.id} is cancelled but still stopping: retry it once it has stopped`);
      if (!job.modelId) throw badRequest(`job ${job.id} cannot be retried: its model has been deleted`);
      const needTriggerSet = (): string => {
        if (!job.triggerSetId) throw badRequest(`job ${job.id} cannot be retried: its trigger set has been deleted`);
        return job.triggerSetId;
      };
      switch (job.type) {
        case 'fragilize':
          assertCan(ctx.project.role, 'write', 'triggerSetInputs');
          return startFragilize(ctx, projectId, job.modelId, storedInput(job, fragilizeJobInput));
        case 'audit':
          assertCan(ctx.project.role, 'write', 'audits');
          return startAudit(ctx, projectId, { modelId: job.modelId, triggerSetId: needTriggerSet(), mode: storedInput(job, auditJobInput).mode });
        case 'evaluate':
          return startEvaluate(ctx, projectId, { modelId: job.modelId, triggerSetId: needTriggerSet(), config: storedInput(job, evaluateJobInput).config });
        default:
          throw badRequest(`${job.type} jobs cannot be retried`);
      }
    }),
});
