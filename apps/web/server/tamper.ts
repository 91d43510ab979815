// A tampered copy of a TF.js model, file for file: Gaussian noise added to every float32 weight
// in the shards. The demo and the end-to-end tests use it as "someone changed the deployed model"
// — the kind of change that keeps accuracy but must break the seal.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelSealError, Random } from '@modelseal/core';
import { z } from 'zod';

const manifestSchema = z.object({
  weightsManifest: z.array(
    z.object({
      paths: z.array(z.string()),
      weights: z.array(z.object({ name: z.string(), shape: z.array(z.number().int()), dtype: z.string() })),
    }),
  ),
});

export interface ModelFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

export async function readModelFolder(dir: string): Promise<ModelFile[]> {
  const names = (await readdir(dir)).sort();
  return Promise.all(names.map(async (path) => ({ path, bytes: new Uint8Array(await readFile(join(dir, path))) })));
}

/** The same files with noise of standard deviation `std` on every float32 weight (seeded). */
export function tamperTfjsWeights(files: readonly ModelFile[], options: { std: number; seed?: number }): ModelFile[] {
  const modelJson = files.find((f) => f.path === 'model.json');
  if (!modelJson) throw new ModelSealError('INVALID_ARGUMENT', 'a TF.js model needs model.json');
  const parsed = manifestSchema.safeParse(JSON.parse(Buffer.from(modelJson.bytes).toString('utf8')));
  if (!parsed.success) throw new ModelSealError('INVALID_ARGUMENT', 'model.json has no readable weightsManifest');
  const random = new Random(options.seed ?? 1);
  const out = new Map(files.map((f) => [f.path, f.bytes]));
  for (const group of parsed.data.weightsManifest) {
    // A group's weights are laid out back to back across its shards, in manifest order.
    const shards = group.paths.map((p) => {
      const bytes = out.get(p);
      if (!bytes) throw new ModelSealError('INVALID_ARGUMENT', `model.json names the weights file ${p}, which is missing`);
      return bytes;
    });
    const joined = Buffer.concat(shards);
    const view = new DataView(joined.buffer, joined.byteOffset, joined.byteLength);
    let offset = 0;
    for (const weight of group.weights) {
      const count = weight.shape.reduce((a, b) => a * b, 1);
      if (weight.dtype !== 'float32') {
        offset += count * (weight.dtype === 'int32' ? 4 : weight.dtype === 'bool' ? 1 : 4);
        continue;
      }
      for (let i = 0; i < count; i += 1, offset += 4) {
        view.setFloat32(offset, view.getFloat32(offset, true) + options.std * random.gaussian(), true);
      }
    }
    let start = 0;
    for (const [i, p] of group.paths.entries()) {
      const length = shards[i]?.byteLength ?? 0;
      out.set(p, new Uint8Array(joined.subarray(start, start + length)));
      start += length;
    }
  }
  return files.map((f) => ({ path: f.path, bytes: out.get(f.path) ?? f.bytes }));
}
