// Shared by the tests only: builders for small files in the formats this package reads.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const created: string[] = [];

// Registered when a test file imports this module, so folders made inside tests are removed too.
afterAll(async () => {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh temporary folder, removed after the test file. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'modelseal-datasets-'));
  created.push(dir);
  return dir;
}

const TYPE_CODES = { uint8: [0x08, 1], int8: [0x09, 1], int16: [0x0b, 2], int32: [0x0c, 4], float32: [0x0d, 4], float64: [0x0e, 8] } as const;

/** An uncompressed IDX file. */
export function encodeIdx(type: keyof typeof TYPE_CODES, dims: readonly number[], values: ArrayLike<number>): Buffer {
  const [code, bytes] = TYPE_CODES[type];
  const out = Buffer.alloc(4 + 4 * dims.length + values.length * bytes);
  out[2] = code;
  out[3] = dims.length;
  dims.forEach((dim, i) => out.writeUInt32BE(dim, 4 + 4 * i));
  const offset = 4 + 4 * dims.length;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    const at = offset + i * bytes;
    if (type === 'uint8') out.writeUInt8(value, at);
    else if (type === 'int8') out.writeInt8(value, at);
    else if (type === 'int16') out.writeInt16BE(value, at);
    else if (type === 'int32') out.writeInt32BE(value, at);
    else if (type === 'float32') out.writeFloatBE(value, at);
    else out.writeDoubleBE(value, at);
  }
  return out;
}
