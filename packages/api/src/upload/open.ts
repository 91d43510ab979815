// An upload is accepted only once its adapter has opened it: a corrupt or mislabelled file is
// refused with the adapter's own message, before anything is stored.
import type { BundleFile } from '@modelseal/artifacts';
import type { AdapterRegistry, ModelDescription } from '@modelseal/core';
import { TRPCError } from '@trpc/server';
import { inUploadFolder, withoutUploadFolder } from './tempFolder.ts';

/** Opens the uploaded model with the given config, as the worker will, and answers its description. */
export async function openUploadedModel(registry: AdapterRegistry, kind: string, config: Record<string, unknown>, files: readonly BundleFile[]): Promise<ModelDescription> {
  return inUploadFolder(files, 'upload', async (dir) => {
    try {
      const adapter = await registry.create(kind, config, { cwd: dir, log: () => undefined });
      try {
        return adapter.describe();
      } finally {
        await adapter.dispose();
      }
    } catch (error) {
      const message = withoutUploadFolder(error instanceof Error ? error.message : String(error), dir, '.');
      throw new TRPCError({ code: 'BAD_REQUEST', message: `the uploaded ${kind} model does not open: ${message}`, cause: error });
    }
  });
}
