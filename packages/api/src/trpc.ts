// tRPC building blocks: who may call what. Every procedure that touches a project goes
// through projectProcedure, which checks membership and the role matrix of @modelseal/auth.
import { canRead, canWrite, isRole, type Resource, type Role } from '@modelseal/auth';
import { isModelSealError } from '@modelseal/core';
import { initTRPC, TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { Context } from './context.ts';

// Never send server stack traces to callers, whatever NODE_ENV says.
const t = initTRPC.context<Context>().create({ isDev: false });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Library errors about bad input become BAD_REQUEST instead of an opaque 500. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && isModelSealError(result.error.cause) && result.error.cause.code === 'INVALID_ARGUMENT') {
    throw new TRPCError({ code: 'BAD_REQUEST', message: result.error.cause.message, cause: result.error.cause });
  }
  return result;
});

export const publicProcedure = t.procedure.use(mapErrors);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (ctx.caller.kind === 'anonymous') throw new TRPCError({ code: 'UNAUTHORIZED', message: 'sign in or send "Authorization: Bearer <api key>"' });
  return next({ ctx: { caller: ctx.caller } });
});

/** People only: API keys act inside one project and cannot create projects or manage accounts. */
export const userProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.caller.kind !== 'user') throw new TRPCError({ code: 'FORBIDDEN', message: 'this needs a signed-in person, not an API key' });
  return next({ ctx: { caller: ctx.caller } });
});

/**
 * Same answer for "no such project" and "not your project", so a caller cannot learn which
 * ids exist elsewhere; the same goes for every resource looked up inside a project.
 */
export function notFound(what: string): TRPCError {
  return new TRPCError({ code: 'NOT_FOUND', message: `${what} not found` });
}

/** The caller's role in a project, or undefined when they are not in it. */
export async function roleIn(ctx: Context, projectId: string): Promise<Role | undefined> {
  const { caller } = ctx;
  if (caller.kind === 'apiKey') return caller.projectId === projectId ? caller.role : undefined;
  if (caller.kind !== 'user') return undefined;
  const membership = await ctx.prisma.membership.findUnique({ where: { userId_projectId: { userId: caller.userId, projectId } } });
  return membership && isRole(membership.role) ? membership.role : undefined;
}

export type Access = 'read' | 'write';

export function assertCan(role: Role, access: Access, resource: Resource): void {
  const ok = access === 'read' ? canRead(role, resource) : canWrite(role, resource);
  if (!ok) throw new TRPCError({ code: 'FORBIDDEN', message: `the ${role} role may not ${access} ${resource}` });
}

/** A procedure inside one project: input `projectId`, membership required, then the role checked. */
export function projectProcedure(access: Access, resource: Resource) {
  return authedProcedure.input(z.object({ projectId: z.uuid() })).use(async ({ ctx, input, next }) => {
    const role = await roleIn(ctx, input.projectId);
    if (!role) throw notFound('project');
    assertCan(role, access, resource);
    return next({ ctx: { project: { id: input.projectId, role } } });
  });
}
