// Uploads are checked in a temp folder laid out exactly as the worker will unpack the bundle,
// so what is accepted here also opens there. Member paths must be checked (checkMemberPaths)
// before: they are joined onto the folder.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import type { BundleFile } from '@modelseal/artifacts';

export async function inUploadFolder<T>(files: readonly BundleFile[], prefix: string, use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), `modelseal-${prefix}-`));
  try {
    for (const file of files) {
      const target = join(dir, ...file.path.split('/'));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.bytes);
    }
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The temp folder means nothing to the uploader: name the files as they sent them. */
export function withoutUploadFolder(message: string, dir: string, folderName: string): string {
  return message.replaceAll(dir + sep, '').replaceAll(dir, folderName);
}
