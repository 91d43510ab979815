import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { projectProcedure, router, userProcedure, authedProcedure } from '../trpc.ts';

const slug = z.string().min(2).max(64).regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lowercase letters, digits and single hyphens');

export const projectsRouter = router({
  /** The creator becomes the project's owner. */
  create: userProcedure.input(z.object({ name: z.string().min(1).max(200), slug })).mutation(async ({ ctx, input }) => {
    const taken = await ctx.prisma.project.findUnique({ where: { slug: input.slug } });
    if (taken) throw new TRPCError({ code: 'CONFLICT', message: 'this slug is taken' });
    return ctx.prisma.project.create({
      data: { name: input.name, slug: input.slug, memberships: { create: { userId: ctx.caller.userId, role: 'owner' } } },
    });
  }),

  /** Projects the caller belongs to (an API key: its own project only), with the caller's role. */
  list: authedProcedure.query(async ({ ctx }) => {
    const { caller } = ctx;
    if (caller.kind === 'apiKey') {
      const project = await ctx.prisma.project.findUniqueOrThrow({ where: { id: caller.projectId } });
      return [{ ...project, role: caller.role }];
    }
    const memberships = await ctx.prisma.membership.findMany({ where: { userId: caller.userId }, include: { project: true }, orderBy: { createdAt: 'asc' } });
    return memberships.map((m) => ({ ...m.project, role: m.role }));
  }),

  get: projectProcedure('read', 'project').query(async ({ ctx }) => {
    const project = await ctx.prisma.project.findUniqueOrThrow({ where: { id: ctx.project.id } });
    return { ...project, role: ctx.project.role };
  }),
});
