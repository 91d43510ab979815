// Looks up rows only inside the caller's project: a row of another project reads as absent.
import type { Context } from './context.ts';
import { notFound } from './trpc.ts';

export async function findModel(ctx: Context, projectId: string, modelId: string) {
  const model = await ctx.prisma.model.findFirst({ where: { id: modelId, projectId } });
  if (!model) throw notFound('model');
  return model;
}

export async function findTriggerSet(ctx: Context, projectId: string, triggerSetId: string) {
  const set = await ctx.prisma.triggerSet.findFirst({ where: { id: triggerSetId, model: { projectId } } });
  if (!set) throw notFound('trigger set');
  return set;
}

/** The acting person, for createdBy/triggeredBy columns (an API key records its creator). */
export function actingUserId(ctx: Context): string | null {
  const { caller } = ctx;
  if (caller.kind === 'user') return caller.userId;
  if (caller.kind === 'apiKey') return caller.createdById;
  return null;
}
