// What models.register and models.upload share: field schemas, the adapter's config check,
// the path rule and the insert with its duplicate-name answer.
import { confineModelEndpoint, confineModelPath, parseRef, registeredModelRules, uploadedModelFolder } from '@modelseal/artifacts';
import { Prisma, type Model } from '@modelseal/db';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { Context } from '../context.ts';

/** The adapters ModelSeal ships; third-party kinds are accepted when the host's registry knows them. */
export const BUILT_IN_ADAPTER_KINDS = ['tfjs', 'onnx', 'http'] as const;

export const adapterKindSchema = z.string().min(1).max(100).regex(/^[a-z0-9][a-z0-9-]*$/);
export const modelNameSchema = z.string().min(1).max(200);

/** Refuses adapter kinds this server cannot open (the host's registry, else the built-in ones). */
export function checkAdapterKind(ctx: Context, kind: string): void {
  const known = ctx.adapters ? ctx.adapters.list().map((f) => f.kind) : [...BUILT_IN_ADAPTER_KINDS];
  if (!known.includes(kind)) throw new TRPCError({ code: 'BAD_REQUEST', message: `unknown adapter kind "${kind}" (known: ${known.join(', ')})` });
}

/** Validates a config with the adapter's own schema when the host passed a registry; see ApiDeps.adapters. */
export function checkConfig(ctx: Context, kind: string, config: Record<string, unknown>): void {
  checkAdapterKind(ctx, kind);
  const parsed = ctx.adapters?.get(kind).configSchema.safeParse(config);
  if (parsed && !parsed.success) throw new TRPCError({ code: 'BAD_REQUEST', message: `invalid ${kind} config: ${z.prettifyError(parsed.error as z.ZodError)}` });
  try {
    confineModelEndpoint(config, ctx.allowPrivateEndpoints ?? false);
  } catch (error) {
    throw new TRPCError({ code: 'FORBIDDEN', message: (error as Error).message });
  }
}

/**
 * Applies the worker's path rule (confineModelPath) at registration, so a model the worker
 * would refuse to open is refused now: relative paths stay in the artifacts folder, out of the
 * store's own folders (or in the uploaded model named by a `sha256:` artifactRef); absolute ones
 * need an operator's model root.
 */
export async function checkModelPath(ctx: Context, config: Record<string, unknown>, bundleDigest: string | undefined): Promise<void> {
  if (typeof config.path !== 'string') return;
  if (bundleDigest !== undefined) {
    await confineModelPath(config.path, { base: uploadedModelFolder(ctx.artifactsDir, bundleDigest), baseName: 'the uploaded model' });
    return;
  }
  await confineModelPath(config.path, registeredModelRules(ctx.artifactsDir, ctx.modelRoots ?? []));
}

/**
 * The worker opens a `sha256:` artifactRef as an uploaded model, so such a ref may only name one
 * already uploaded to this project: otherwise anyone who learnt a digest could open another
 * project's model. Other refs are free-form labels. Answers the bundle's digest, if any.
 */
export async function checkArtifactRef(ctx: Context, projectId: string, artifactRef: string | undefined): Promise<string | undefined> {
  if (artifactRef === undefined || !artifactRef.startsWith('sha256:')) return undefined;
  const digest = parseRef(artifactRef);
  const uploaded = await ctx.prisma.model.findFirst({ where: { projectId, artifactRef }, select: { id: true } });
  if (!uploaded) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: `artifactRef ${artifactRef} names no model uploaded to this project: "sha256:" refs are reserved for uploads (models.upload)`,
    });
  }
  return digest;
}

/** Inserts the Model row; a name already used in the project is a CONFLICT. */
export async function insertModel(ctx: Context, data: Prisma.ModelUncheckedCreateInput): Promise<Model> {
  try {
    return await ctx.prisma.model.create({ data });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw new TRPCError({ code: 'CONFLICT', message: 'a model with this name already exists in the project' });
    }
    throw error;
  }
}
