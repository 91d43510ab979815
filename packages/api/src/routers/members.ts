import { ROLES } from '@modelseal/auth';
import type { PrismaClient } from '@modelseal/db';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { notFound, projectProcedure, router } from '../trpc.ts';

const role = z.enum(ROLES);

/** A project must keep an owner, or nobody could administer it again. */
async function assertKeepsAnOwner(prisma: PrismaClient, projectId: string, leavingUserId: string): Promise<void> {
  const others = await prisma.membership.count({ where: { projectId, role: 'owner', userId: { not: leavingUserId } } });
  if (others === 0) throw new TRPCError({ code: 'BAD_REQUEST', message: 'a project needs at least one owner' });
}

export const membersRouter = router({
  list: projectProcedure('read', 'members').query(async ({ ctx }) => {
    const rows = await ctx.prisma.membership.findMany({ where: { projectId: ctx.project.id }, include: { user: true }, orderBy: { createdAt: 'asc' } });
    return rows.map((m) => ({ userId: m.userId, email: m.user.email, name: m.user.name, role: m.role, since: m.createdAt }));
  }),

  /** Adds an existing account by email (there are no invitations yet). */
  add: projectProcedure('write', 'members')
    .input(z.object({ email: z.email().transform((v) => v.toLowerCase()), role }))
    .mutation(async ({ ctx, input }) => {
      const user = await ctx.prisma.user.findUnique({ where: { email: input.email } });
      if (!user) throw new TRPCError({ code: 'NOT_FOUND', message: 'no account with this email' });
      const existing = await ctx.prisma.membership.findUnique({ where: { userId_projectId: { userId: user.id, projectId: ctx.project.id } } });
      if (existing) throw new TRPCError({ code: 'CONFLICT', message: 'already a member' });
      const m = await ctx.prisma.membership.create({ data: { userId: user.id, projectId: ctx.project.id, role: input.role } });
      return { userId: m.userId, role: m.role };
    }),

  changeRole: projectProcedure('write', 'members')
    .input(z.object({ userId: z.uuid(), role }))
    .mutation(async ({ ctx, input }) => {
      const m = await ctx.prisma.membership.findUnique({ where: { userId_projectId: { userId: input.userId, projectId: ctx.project.id } } });
      if (!m) throw notFound('member');
      if (m.role === 'owner' && input.role !== 'owner') await assertKeepsAnOwner(ctx.prisma, ctx.project.id, input.userId);
      const updated = await ctx.prisma.membership.update({ where: { id: m.id }, data: { role: input.role } });
      return { userId: updated.userId, role: updated.role };
    }),

  remove: projectProcedure('write', 'members')
    .input(z.object({ userId: z.uuid() }))
    .mutation(async ({ ctx, input }) => {
      const m = await ctx.prisma.membership.findUnique({ where: { userId_projectId: { userId: input.userId, projectId: ctx.project.id } } });
      if (!m) throw notFound('member');
      if (m.role === 'owner') await assertKeepsAnOwner(ctx.prisma, ctx.project.id, input.userId);
      await ctx.prisma.membership.delete({ where: { id: m.id } });
      return { ok: true as const };
    }),
});
