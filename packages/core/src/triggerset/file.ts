/** Reading and writing trigger-set files on disk. */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ModelSealError, isModelSealError } from '../errors.ts';
import type { ModelSealErrorCode } from '../errors.ts';
import { decodeTriggerSet, encodeTriggerSet } from './triggerSet.ts';
import type {
  DecodeTriggerSetOptions,
  DecodedTriggerSet,
  EncodeTriggerSetOptions,
  TriggerSet,
} from './triggerSet.ts';

// Causes the user can fix by pointing at another path.
const PATH_PROBLEMS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

export async function readTriggerSetFile(
  path: string,
  options: DecodeTriggerSetOptions = {},
): Promise<DecodedTriggerSet> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw fileError(error, `cannot read trigger set ${path}`, 'CORRUPT_FILE');
  }
  try {
    return decodeTriggerSet(bytes, options);
  } catch (error) {
    if (isModelSealError(error)) throw new ModelSealError(error.code, `${path}: ${error.message}`, { cause: error });
    throw error;
  }
}

/**
 * Writes atomically: the bytes go to a temporary file in the same folder, are
 * flushed to disk, then renamed over `path`, so a crash leaves either the old
 * file or the new one, never half of one. The file is created readable by its
 * owner only, because whoever holds a trigger set can tune a tampered model to
 * pass verification.
 */
export async function writeTriggerSetFile(
  path: string,
  set: TriggerSet,
  options: EncodeTriggerSetOptions = {},
): Promise<void> {
  const bytes = encodeTriggerSet(set, options);
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw fileError(error, `cannot write trigger set ${path}`, 'INVALID_ARGUMENT');
  }
}

function fileError(error: unknown, context: string, otherwise: ModelSealErrorCode): ModelSealError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const problem = code === undefined ? undefined : PATH_PROBLEMS[code];
  if (problem !== undefined) return new ModelSealError('INVALID_ARGUMENT', `${context}: ${problem}`, { cause: error });
  const detail = error instanceof Error ? error.message : String(error);
  return new ModelSealError(otherwise, `${context}: ${detail}`, { cause: error });
}
