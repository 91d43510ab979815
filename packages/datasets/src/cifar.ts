import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ModelSealError } from '@modelseal/core';
import { concatImageSets } from './imageSet.ts';
import { readDataFile } from './readData.ts';
import type { Dataset, ImageSet } from './types.ts';

const SIDE = 32;
const PLANE = SIDE * SIDE;
const IMAGE_BYTES = 3 * PLANE;

export const CIFAR10_CLASS_NAMES: readonly string[] = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];

interface RecordFormat {
  /** Label bytes before the pixels of each record. */
  readonly labelBytes: number;
  /** Which of those bytes is the label to use. */
  readonly labelIndex: number;
  readonly numClasses: number;
}

/**
 * Decodes CIFAR binary records (label bytes, then 32x32 R, G and B planes) into
 * HWC floats in [0, 1].
 */
export function parseCifarRecords(bytes: Uint8Array, file: string, format: RecordFormat): ImageSet {
  const recordBytes = format.labelBytes + IMAGE_BYTES;
  if (bytes.length === 0 || bytes.length % recordBytes !== 0) {
    throw new ModelSealError(
      'DATASET',
      `${file}: size ${bytes.length} bytes is not a whole number of ${recordBytes}-byte CIFAR records (truncated or not a CIFAR binary file?)`,
    );
  }
  const count = bytes.length / recordBytes;
  const pixels = new Float32Array(count * IMAGE_BYTES);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const record = n * recordBytes;
    const label = bytes[record + format.labelIndex]!;
    if (label >= format.numClasses) {
      throw new ModelSealError('DATASET', `${file}: record ${n} has label ${label}, expected 0..${format.numClasses - 1}`);
    }
    labels[n] = label;
    const source = record + format.labelBytes;
    const target = n * IMAGE_BYTES;
    for (let p = 0; p < PLANE; p++) {
      pixels[target + 3 * p] = bytes[source + p]! / 255;
      pixels[target + 3 * p + 1] = bytes[source + PLANE + p]! / 255;
      pixels[target + 3 * p + 2] = bytes[source + 2 * PLANE + p]! / 255;
    }
  }
  return { height: SIDE, width: SIDE, channels: 3, pixels, labels, count };
}

async function readRecords(file: string, format: RecordFormat): Promise<ImageSet> {
  return parseCifarRecords(await readDataFile(file), file, format);
}

/** Class names from a text file with one name per line; blank lines (the trailing ones in the originals) are skipped. */
async function readNames(file: string): Promise<string[] | undefined> {
  const exists = await stat(file).then((s) => s.isFile(), () => false);
  if (!exists) return undefined;
  return (await readDataFile(file))
    .toString('utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/** Accepts the extracted folder itself or the folder it was extracted into. */
async function locate(dir: string, marker: string, subfolder: string): Promise<string> {
  const root = resolve(dir);
  const isFile = (path: string): Promise<boolean> => stat(path).then((s) => s.isFile(), () => false);
  if (await isFile(join(root, marker))) return root;
  if (await isFile(join(root, subfolder, marker))) return join(root, subfolder);
  const isDir = await stat(root).then((s) => s.isDirectory(), () => false);
  throw new ModelSealError(
    'DATASET',
    isDir
      ? `${root}: no ${marker} here or in ${subfolder}/ (expected the extracted binary version of the dataset)`
      : `${root}: folder not found`,
  );
}

/** CIFAR-10, binary version: data_batch_1..5.bin (50,000 images) and test_batch.bin (10,000). */
export async function loadCifar10(dir: string): Promise<Dataset> {
  const root = await locate(dir, 'data_batch_1.bin', 'cifar-10-batches-bin');
  const namesFile = join(root, 'batches.meta.txt');
  const names = await readNames(namesFile);
  if (names !== undefined && names.length !== 10) {
    throw new ModelSealError('DATASET', `${namesFile}: expected 10 class names, found ${names.length}`);
  }
  const classNames = names ?? CIFAR10_CLASS_NAMES;
  const format = { labelBytes: 1, labelIndex: 0, numClasses: 10 };
  const batches = await Promise.all(
    [1, 2, 3, 4, 5].map((i) => readRecords(join(root, `data_batch_${i}.bin`), format)),
  );
  const test = await readRecords(join(root, 'test_batch.bin'), format);
  return { name: 'cifar-10', classNames, train: concatImageSets(batches), test, source: root };
}

export interface Cifar100Options {
  /** The 100 fine classes (default) or the 20 coarse superclasses. */
  readonly labels?: 'fine' | 'coarse';
}

/** CIFAR-100, binary version: train.bin and test.bin, records holding a coarse and a fine label. */
export async function loadCifar100(dir: string, options: Cifar100Options = {}): Promise<Dataset> {
  const labels = options.labels ?? 'fine';
  if (labels !== 'fine' && labels !== 'coarse') {
    throw new ModelSealError('INVALID_ARGUMENT', `CIFAR-100 labels must be "fine" or "coarse", got ${JSON.stringify(labels)}`);
  }
  const root = await locate(dir, 'train.bin', 'cifar-100-binary');
  const numClasses = labels === 'fine' ? 100 : 20;
  const namesFile = join(root, `${labels}_label_names.txt`);
  const names = await readNames(namesFile);
  if (names !== undefined && names.length !== numClasses) {
    throw new ModelSealError('DATASET', `${namesFile}: expected ${numClasses} class names, found ${names.length}`);
  }
  const format = { labelBytes: 2, labelIndex: labels === 'fine' ? 1 : 0, numClasses };
  const [train, test] = await Promise.all([
    readRecords(join(root, 'train.bin'), format),
    readRecords(join(root, 'test.bin'), format),
  ]);
  return {
    name: labels === 'fine' ? 'cifar-100' : 'cifar-100-coarse',
    classNames: names ?? Array.from({ length: numClasses }, (_, i) => `class ${i}`),
    train,
    test,
    source: root,
  };
}
