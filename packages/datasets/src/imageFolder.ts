import { readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { ModelSealError } from '@modelseal/core';
import { decodeImage } from './decodeImage.ts';
import type { RgbImage } from './decodeImage.ts';
import { subset } from './imageSet.ts';
import { readDataFile } from './readData.ts';
import { resizeBilinear } from './resize.ts';
import { splitImageSet, validateSplitOptions } from './split.ts';
import type { Dataset, ImageSet } from './types.ts';

export interface ImageFolderOptions {
  /** 1 (luminance 0.299R + 0.587G + 0.114B) or 3 (RGB); default 1 when every image is gray, else 3. */
  readonly channels?: 1 | 3;
  /**
   * Resize every image to [height, width] (bilinear). Without it all images must
   * already share one size: silently resizing would change what the model sees.
   */
  readonly size?: readonly [number, number];
  /** Share of each class held out for testing when the folder has no train/ and test/ (default 0.2). */
  readonly testFraction?: number;
  /** Seed of that split (default 0). */
  readonly seed?: number;
}

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

interface LabelledFile {
  readonly path: string;
  readonly label: number;
}

interface Entry {
  readonly name: string;
  readonly isDir: boolean;
  readonly isFile: boolean;
}

/**
 * A user's own images: `root/<class>/*.png|jpg|jpeg`, classes being the sorted
 * subfolder names. With `root/train/<class>/…` and `root/test/<class>/…` that
 * split is used as is (other entries of root are then ignored); otherwise a
 * seeded, stratified split holds out `testFraction` of each class. Names are
 * sorted by code unit, not locale, so class indices and the split are the same
 * on every machine.
 */
export async function loadImageFolder(root: string, options: ImageFolderOptions = {}): Promise<Dataset> {
  const dir = resolve(root);
  validateOptions(options);
  const entries = await listDir(dir);
  const hasTrain = entries.some((e) => e.name === 'train' && e.isDir);
  const hasTest = entries.some((e) => e.name === 'test' && e.isDir);
  if (hasTrain !== hasTest) {
    throw new ModelSealError(
      'DATASET',
      `${dir}: has a ${hasTrain ? 'train' : 'test'}/ folder but no ${hasTrain ? 'test' : 'train'}/; ` +
        'an explicit split needs both, otherwise put the class folders directly in the root folder',
    );
  }

  if (hasTrain) {
    const trainDir = join(dir, 'train');
    const testDir = join(dir, 'test');
    const [trainClasses, testClasses] = await Promise.all([classFolders(trainDir), classFolders(testDir)]);
    const classNames = [...new Set([...trainClasses, ...testClasses])].sort(compareCodeUnits);
    const [trainFiles, testFiles] = await Promise.all([
      listImages(trainDir, trainClasses, classNames),
      listImages(testDir, testClasses, classNames),
    ]);
    // Decoded together so that both halves get the same channel count.
    const all = await decodeAll([...trainFiles, ...testFiles], options);
    const range = (start: number, end: number): number[] => Array.from({ length: end - start }, (_, i) => start + i);
    return {
      name: `folder:${dir}`,
      classNames,
      train: subset(all, range(0, trainFiles.length)),
      test: subset(all, range(trainFiles.length, all.count)),
      source: dir,
    };
  }

  const classNames = await classFolders(dir);
  const files = await listImages(dir, classNames, classNames);
  const all = await decodeAll(files, options);
  const { train, test } = splitImageSet(all, { testFraction: options.testFraction ?? 0.2, seed: options.seed ?? 0 });
  return { name: `folder:${dir}`, classNames, train, test, source: dir };
}

function validateOptions(options: ImageFolderOptions): void {
  const { channels, size } = options;
  if (channels !== undefined && channels !== 1 && channels !== 3) {
    throw new ModelSealError('INVALID_ARGUMENT', `image folder: channels must be 1 or 3, got ${String(channels)}`);
  }
  if (size !== undefined && !(size.length === 2 && size.every((side) => Number.isSafeInteger(side) && side > 0))) {
    throw new ModelSealError('INVALID_ARGUMENT', `image folder: size must be [height, width] in positive integers, got ${JSON.stringify(size)}`);
  }
  validateSplitOptions({ testFraction: options.testFraction ?? 0.2, seed: options.seed ?? 0 }, 'image folder');
}

async function listDir(dir: string): Promise<Entry[]> {
  let dirents;
  try {
    dirents = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'folder not found' : code === 'ENOTDIR' ? 'not a folder' : (error as Error).message;
    throw new ModelSealError('DATASET', `${dir}: ${reason}`, { cause: error });
  }
  return Promise.all(
    dirents
      .filter((d) => !d.name.startsWith('.'))
      .map(async (d) => {
        if (!d.isSymbolicLink()) return { name: d.name, isDir: d.isDirectory(), isFile: d.isFile() };
        const target = await stat(join(dir, d.name)).catch(() => undefined);
        return { name: d.name, isDir: target?.isDirectory() ?? false, isFile: target?.isFile() ?? false };
      }),
  );
}

async function classFolders(dir: string): Promise<string[]> {
  const names = (await listDir(dir)).filter((e) => e.isDir).map((e) => e.name).sort(compareCodeUnits);
  if (names.length === 0) {
    throw new ModelSealError('DATASET', `${dir}: no class folders; expected ${join(dir, '<class name>', '*.png')} (or .jpg/.jpeg)`);
  }
  return names;
}

async function listImages(dir: string, folders: readonly string[], classNames: readonly string[]): Promise<LabelledFile[]> {
  const files: LabelledFile[] = [];
  for (const folder of folders) {
    const label = classNames.indexOf(folder);
    const names = (await listDir(join(dir, folder)))
      .filter((e) => e.isFile && IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase()))
      .map((e) => e.name)
      .sort(compareCodeUnits);
    for (const name of names) files.push({ path: join(dir, folder, name), label });
  }
  if (files.length === 0) {
    throw new ModelSealError('DATASET', `${dir}: no .png, .jpg or .jpeg images in its class folders (${folders.join(', ')})`);
  }
  return files;
}

async function decodeAll(files: readonly LabelledFile[], options: ImageFolderOptions): Promise<ImageSet> {
  const decoded: RgbImage[] = [];
  let expected: { height: number; width: number; file: string } | undefined;
  for (const file of files) {
    const image = decodeImage(await readDataFile(file.path), file.path);
    if (options.size !== undefined) {
      const [height, width] = options.size;
      decoded.push({ height, width, gray: image.gray, rgb: resizeBilinear(image.rgb, image.height, image.width, 3, height, width) });
      continue;
    }
    expected ??= { height: image.height, width: image.width, file: file.path };
    if (image.height !== expected.height || image.width !== expected.width) {
      throw new ModelSealError(
        'DATASET',
        `${file.path}: image is ${image.width}x${image.height} (width x height) but ${expected.file} is ` +
          `${expected.width}x${expected.height}; all images must have one size, or pass a size to resize them to`,
      );
    }
    decoded.push(image);
  }
  const first = decoded[0]!;
  const { height, width } = first;
  const channels = options.channels ?? (decoded.every((image) => image.gray) ? 1 : 3);
  const size = height * width * channels;
  const pixels = new Float32Array(files.length * size);
  decoded.forEach((image, n) => {
    if (channels === 3) {
      pixels.set(image.rgb, n * size);
      return;
    }
    for (let p = 0; p < height * width; p++) {
      pixels[n * size + p] = 0.299 * image.rgb[3 * p]! + 0.587 * image.rgb[3 * p + 1]! + 0.114 * image.rgb[3 * p + 2]!;
    }
  });
  const labels = Int32Array.from(files, (file) => file.label);
  return { height, width, channels, pixels, labels, count: files.length };
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
