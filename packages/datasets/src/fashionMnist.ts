import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ModelSealError } from '@modelseal/core';
import { loadIdxPair } from './idx.ts';
import { describeImageShape } from './imageSet.ts';
import type { Dataset } from './types.ts';

/** Where the Debian package `dataset-fashion-mnist` installs the files. */
export const DEFAULT_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_DIR_ENV = 'MODELSEAL_FASHION_MNIST_DIR';

export const FASHION_MNIST_CLASS_NAMES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export interface FashionMnistOptions {
  /** Folder holding the four IDX files; defaults to $MODELSEAL_FASHION_MNIST_DIR, then the Debian location. */
  readonly dir?: string;
}

// 60,000 images take ~190 MB as floats and a second to decode, so each folder is loaded once per process.
const cache = new Map<string, Promise<Dataset>>();

export function fashionMnistDir(options: FashionMnistOptions = {}): string {
  return resolve(options.dir ?? (process.env[FASHION_MNIST_DIR_ENV] || DEFAULT_FASHION_MNIST_DIR));
}

/** Fashion-MNIST with its standard 60,000 / 10,000 split. */
export function loadFashionMnist(options: FashionMnistOptions = {}): Promise<Dataset> {
  const dir = fashionMnistDir(options);
  let dataset = cache.get(dir);
  if (dataset === undefined) {
    dataset = load(dir);
    cache.set(dir, dataset);
    // A failure (e.g. not installed yet) must not stick: the user may fix it and retry.
    dataset.catch(() => cache.delete(dir));
  }
  return dataset;
}

async function load(dir: string): Promise<Dataset> {
  const help =
    `install it with "apt-get install dataset-fashion-mnist" or set ${FASHION_MNIST_DIR_ENV} to a folder holding ` +
    `${Object.values(FILES).join(', ')} (each optionally .gz)`;
  const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw new ModelSealError('DATASET', `Fashion-MNIST not found: ${dir} is not a folder; ${help}`);

  const paths = await Promise.all(Object.values(FILES).map((name) => findFile(dir, name)));
  const missing = Object.values(FILES).filter((_, i) => paths[i] === undefined);
  if (missing.length > 0) {
    throw new ModelSealError('DATASET', `Fashion-MNIST in ${dir} is incomplete: missing ${missing.join(', ')}; ${help}`);
  }
  const [trainImages, trainLabels, testImages, testLabels] = paths as string[];
  const [train, test] = await Promise.all([
    loadIdxPair(trainImages!, trainLabels!),
    loadIdxPair(testImages!, testLabels!),
  ]);
  const checks = [
    { set: train, imagesFile: trainImages!, labelsFile: trainLabels! },
    { set: test, imagesFile: testImages!, labelsFile: testLabels! },
  ];
  for (const { set, imagesFile, labelsFile } of checks) {
    if (set.height !== 28 || set.width !== 28 || set.channels !== 1) {
      throw new ModelSealError('DATASET', `${imagesFile}: Fashion-MNIST images must be 28x28x1, got ${describeImageShape(set)}`);
    }
    const bad = set.labels.findIndex((label) => label >= FASHION_MNIST_CLASS_NAMES.length);
    if (bad >= 0) throw new ModelSealError('DATASET', `${labelsFile}: label ${bad} is ${set.labels[bad]}, expected 0..9`);
  }
  return { name: 'fashion-mnist', classNames: FASHION_MNIST_CLASS_NAMES, train, test, source: dir };
}

async function findFile(dir: string, name: string): Promise<string | undefined> {
  for (const candidate of [`${name}.gz`, name]) {
    const path = join(dir, candidate);
    if (await stat(path).then((s) => s.isFile(), () => false)) return path;
  }
  return undefined;
}
