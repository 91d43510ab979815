import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ModelSealError, describeIssues } from '@modelseal/core';

/** File beside model.json that says what the model expects, so users need not repeat it in every config. */
export const SIDECAR_FILE = 'modelseal-model.json';

export const sidecarSchema = z
  .object({
    /** Dataset the model was trained on, e.g. "mnist". */
    dataset: z.string().optional(),
    classNames: z.array(z.string()).min(2).optional(),
    inputShape: z.array(z.number().int().positive()).min(1).optional(),
    layout: z.enum(['NCHW', 'NHWC', 'flat']).optional(),
    valueRange: z.tuple([z.number(), z.number()]).optional(),
    outputKind: z.enum(['logits', 'probabilities']).optional(),
    testAccuracy: z.number().min(0).max(1).optional(),
    testSamples: z.number().int().nonnegative().optional(),
    trainSamples: z.number().int().nonnegative().optional(),
    epochs: z.number().int().nonnegative().optional(),
    batchSize: z.number().int().positive().optional(),
    learningRate: z.number().positive().optional(),
    seed: z.number().int().optional(),
    /** TF.js runtime that trained the model; training is bit-reproducible only on the same one. */
    runtime: z.string().optional(),
    createdAt: z.string().optional(),
  })
  // Unknown fields are kept so that newer writers do not lose data through older readers.
  .loose();

export type ModelSidecar = z.infer<typeof sidecarSchema>;

/** The sidecar in `folder`, or undefined when there is none; a present but broken one is an error. */
export async function readSidecar(folder: string): Promise<ModelSidecar | undefined> {
  const file = path.join(folder, SIDECAR_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ModelSealError('MODEL_LOAD', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelSealError('MODEL_LOAD', `${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = sidecarSchema.safeParse(json);
  if (!parsed.success) {
    const details = describeIssues(parsed.error, '(root)');
    throw new ModelSealError('MODEL_LOAD', `${file} is not a valid ModelSeal model description: ${details}`);
  }
  return parsed.data;
}

export async function writeSidecar(folder: string, sidecar: ModelSidecar): Promise<void> {
  const valid = sidecarSchema.parse(sidecar);
  await writeFile(path.join(folder, SIDECAR_FILE), `${JSON.stringify(valid, null, 2)}\n`);
}
