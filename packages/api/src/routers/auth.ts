import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, verifyPassword } from '@modelseal/auth';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { Context } from '../context.ts';
import { defaultSignInLimiter } from '../signInLimiter.ts';
import { clearedSessionCookie, issueSessionToken, sessionCookie } from '../session.ts';
import { authedProcedure, publicProcedure, router, userProcedure } from '../trpc.ts';

const email = z.email().max(320).transform((value) => value.toLowerCase());
const password = z.string().min(1).max(MAX_PASSWORD_LENGTH);

// One message for "no such account" and "wrong password": sign-in must not reveal which emails exist.
const BAD_CREDENTIALS = 'wrong email or password';

/** Answers the token (for scripts) and, over HTTP, also sets it as the browser's session cookie. */
function startSession(ctx: Context, user: { id: string; email: string; name: string | null; updatedAt: Date }) {
  const token = issueSessionToken(ctx.sessionSecret, user.id, user.updatedAt, ctx.sessionTtlSeconds);
  ctx.resHeaders?.append('set-cookie', sessionCookie(token, ctx.sessionTtlSeconds, ctx.secure ?? false));
  return { user: { id: user.id, email: user.email, name: user.name }, token };
}

export const authRouter = router({
  signUp: publicProcedure
    .input(z.object({ email, password: z.string().min(MIN_PASSWORD_LENGTH).max(MAX_PASSWORD_LENGTH), name: z.string().min(1).max(200).optional() }))
    .mutation(async ({ ctx, input }) => {
      const passwordHash = await hashPassword(input.password);
      const existing = await ctx.prisma.user.findUnique({ where: { email: input.email } });
      if (existing) throw new TRPCError({ code: 'CONFLICT', message: 'an account with this email already exists' });
      const user = await ctx.prisma.user.create({ data: { email: input.email, name: input.name ?? null, passwordHash } });
      return startSession(ctx, user);
    }),

  signIn: publicProcedure.input(z.object({ email, password })).mutation(async ({ ctx, input }) => {
    const limiter = ctx.signInLimiter ?? defaultSignInLimiter;
    const wait = limiter.retryAfterSeconds(input.email);
    if (wait > 0) throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: `too many failed sign-ins for this email; try again in ${wait} s` });
    const user = await ctx.prisma.user.findUnique({ where: { email: input.email } });
    if (!user?.passwordHash) {
      // Hash anyway so an unknown email takes as long as a known one.
      await hashPassword('x'.repeat(MIN_PASSWORD_LENGTH));
      limiter.recordFailure(input.email);
      throw new TRPCError({ code: 'UNAUTHORIZED', message: BAD_CREDENTIALS });
    }
    if (!(await verifyPassword(input.password, user.passwordHash))) {
      limiter.recordFailure(input.email);
      throw new TRPCError({ code: 'UNAUTHORIZED', message: BAD_CREDENTIALS });
    }
    limiter.recordSuccess(input.email);
    return startSession(ctx, user);
  }),

  /** Ends every session of this person (tokens are stateless; see session.ts). */
  signOut: userProcedure.mutation(async ({ ctx }) => {
    await ctx.prisma.user.update({ where: { id: ctx.caller.userId }, data: { updatedAt: new Date() } });
    ctx.resHeaders?.append('set-cookie', clearedSessionCookie(ctx.secure ?? false));
    return { ok: true as const };
  }),

  me: authedProcedure.query(async ({ ctx }) => {
    const { caller } = ctx;
    if (caller.kind === 'apiKey') return { kind: 'apiKey' as const, apiKeyId: caller.apiKeyId, projectId: caller.projectId, role: caller.role };
    const user = await ctx.prisma.user.findUniqueOrThrow({ where: { id: caller.userId }, include: { memberships: { include: { project: true } } } });
    return {
      kind: 'user' as const,
      user: { id: user.id, email: user.email, name: user.name },
      projects: user.memberships.map((m) => ({ id: m.project.id, name: m.project.name, slug: m.project.slug, role: m.role })),
    };
  }),
});
