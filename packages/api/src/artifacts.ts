// Reading stored trigger-set files, for the procedures that need their contents.
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { decodeTriggerSet, type TriggerSet } from '@modelseal/core';
import { TRPCError } from '@trpc/server';
import type { Context } from './context.ts';

/** Reads a stored trigger-set file: a content-store ref, or a path inside the artifacts folder (what the worker writes). */
export async function readArtifact(ctx: Context, ref: string): Promise<Buffer> {
  if (ref.startsWith('sha256:')) {
    if (!ctx.artifacts) throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'no artifact store is configured' });
    return ctx.artifacts.get(ref, { kind: 'trigger-set' });
  }
  const root = resolve(ctx.artifactsDir);
  const path = resolve(root, ref);
  const inside = relative(root, path);
  // Refs come from the database, but a path must never leave the artifacts folder.
  if (isAbsolute(ref) || inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'trigger set has an invalid artifact reference' });
  }
  return readFile(path);
}

/**
 * The decoded trigger set behind a TriggerSet row. The API holds no signing key, so only the
 * file's content checksum is checked here; the worker checks signatures when it audits.
 */
export async function readTriggerSet(ctx: Context, set: { readonly id: string; readonly artifactRef: string }): Promise<TriggerSet> {
  const bytes = await readArtifact(ctx, set.artifactRef);
  try {
    return decodeTriggerSet(bytes).triggerSet;
  } catch (error) {
    throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: `the stored file of trigger set ${set.id} cannot be read: ${(error as Error).message}`, cause: error });
  }
}
