import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { ModelSealError } from '@modelseal/core';

const gunzipAsync = promisify(gunzip);

/** Reads a file, inflating it when it starts with the gzip magic bytes 1f 8b, whatever its name. */
export async function readMaybeGzip(path: string): Promise<Uint8Array> {
  const bytes = await readDataFile(path);
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return await gunzipAsync(bytes);
  } catch (error) {
    throw new ModelSealError('DATASET', `${path}: corrupt gzip data (${(error as Error).message})`, { cause: error });
  }
}

/** Reads a file, turning a missing or unreadable file into a DATASET error that names it. */
export async function readDataFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder, not a file' : (error as Error).message;
    throw new ModelSealError('DATASET', `${path}: ${reason}`, { cause: error });
  }
}
