import { z } from 'zod';
import { SAMPLE_SET_METADATA, uploadSampleSet } from '../upload/sampleSet.ts';
import { authedProcedure, notFound, projectProcedure, router } from '../trpc.ts';

export const sampleSetsRouter = router({
  /**
   * Uploads images to fragilize from (multipart form: projectId, name, and one "files" field per
   * image, named `<class>/<image>.png|jpg|jpeg`, i.e. a class folder's relative path). Every image
   * is decoded before the set is accepted. Clients send it through a non-batching httpLink.
   */
  upload: authedProcedure.input(z.instanceof(FormData)).mutation(({ ctx, input }) => uploadSampleSet(ctx, input)),

  /** Metadata only (names, classes, counts): the images never leave the server. */
  list: projectProcedure('read', 'models').query(({ ctx }) =>
    ctx.prisma.sampleSet.findMany({ where: { projectId: ctx.project.id }, select: SAMPLE_SET_METADATA, orderBy: { createdAt: 'desc' } }),
  ),

  /**
   * Removes the sample set: new fragilize jobs can no longer use it, and queued ones fail. Trigger
   * sets made from it stay (they hold their own samples); the images stay in the content store,
   * where other sets may share them by digest.
   */
  delete: projectProcedure('write', 'triggerSetInputs')
    .input(z.object({ sampleSetId: z.uuid() }))
    .mutation(async ({ ctx, input }) => {
      const { count } = await ctx.prisma.sampleSet.deleteMany({ where: { id: input.sampleSetId, projectId: ctx.project.id } });
      if (count === 0) throw notFound('sample set');
      return { deleted: true as const };
    }),
});
