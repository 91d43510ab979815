// An upload is accepted only once its adapter has opened it: a corrupt or mislabelled file is
// refused with the adapter's own message, before anything is stored.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import type { BundleFile } from '@modelseal/artifacts';
import type { AdapterRegistry, ModelDescription } from '@modelseal/core';
import { TRPCError } from '@trpc/server';

/**
 * Writes the files into a temp folder laid out as the worker will unpack them, opens the
 * model there with the given config and answers its description. The member paths must be
 * checked (checkMemberPaths) before: they are joined onto the temp folder.
 */
export async function openUploadedModel(registry: AdapterRegistry, kind: string, config: Record<string, unknown>, files: readonly BundleFile[]): Promise<ModelDescription> {
  const dir = await mkdtemp(join(tmpdir(), 'modelseal-upload-'));
  try {
    for (const file of files) {
      const target = join(dir, ...file.path.split('/'));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.bytes);
    }
    try {
      const adapter = await registry.create(kind, config, { cwd: dir, log: () => undefined });
      try {
        return adapter.describe();
      } finally {
        await adapter.dispose();
      }
    } catch (error) {
      // The temp folder means nothing to the uploader: name the files as they sent them.
      const message = (error instanceof Error ? error.message : String(error)).replaceAll(dir + sep, '').replaceAll(dir, '.');
      throw new TRPCError({ code: 'BAD_REQUEST', message: `the uploaded ${kind} model does not open: ${message}`, cause: error });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
