// models.upload: model files sent by the dashboard or a script become a bundle in the artifact
// store and a Model row whose config points into it. The worker unpacks the bundle to open it.
import { checkMemberPaths, type BundleFile } from '@modelseal/artifacts';
import type { Prisma, Model } from '@modelseal/db';
import { TRPCError } from '@trpc/server';
import type { Context } from '../context.ts';
import { checkAdapterKind, checkConfig, insertModel } from '../models/fields.ts';
import { assertCan, notFound, roleIn } from '../trpc.ts';
import { readUploadForm } from './form.ts';
import { checkExtensions, uploadFormat } from './formats.ts';
import { checkFileSizes, uploadLimits } from './limits.ts';
import { openUploadedModel } from './open.ts';

export async function uploadModel(ctx: Context, form: FormData): Promise<Model> {
  const upload = readUploadForm(form);
  // Membership first: a stranger learns nothing about the project from the answers below.
  const role = await roleIn(ctx, upload.projectId);
  if (!role) throw notFound('project');
  assertCan(role, 'write', 'models');

  const { adapters: registry, artifacts } = ctx;
  if (!registry || !artifacts) {
    throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'this server takes no model uploads (it was started without an adapter registry or artifact store)' });
  }
  const kind = upload.adapterKind;
  checkAdapterKind(ctx, kind);
  const format = uploadFormat(kind);
  if (!format) throw new TRPCError({ code: 'BAD_REQUEST', message: `the ${kind} adapter takes no uploaded files: register the model with models.register` });

  const paths = upload.files.map((file) => file.name);
  checkMemberPaths(paths);
  checkFileSizes(upload.files, uploadLimits(ctx));
  checkExtensions(kind, format, paths);
  const entry = format.entry(paths);
  if (Object.hasOwn(upload.config, format.entryKey)) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: `leave "${format.entryKey}" out of config: the upload sets it to the model file (${entry})` });
  }
  const config = { ...upload.config, [format.entryKey]: entry };
  checkConfig(ctx, kind, config);
  // Opening a model is the slow part: a name already taken is answered before it.
  if (await ctx.prisma.model.findFirst({ where: { projectId: upload.projectId, name: upload.name }, select: { id: true } })) {
    throw new TRPCError({ code: 'CONFLICT', message: 'a model with this name already exists in the project' });
  }

  const files: BundleFile[] = await Promise.all(upload.files.map(async (file) => ({ path: file.name, bytes: new Uint8Array(await file.arrayBuffer()) })));
  await openUploadedModel(registry, kind, config, files);
  // Stored only once it opened: a refused upload leaves nothing behind in the store.
  const bundle = await artifacts.putFiles(files, { kind: 'model' });
  return insertModel(ctx, {
    projectId: upload.projectId,
    name: upload.name,
    adapterKind: kind,
    config: config as Prisma.InputJsonObject,
    artifactRef: bundle.ref,
    fingerprint: bundle.sha256,
  });
}
