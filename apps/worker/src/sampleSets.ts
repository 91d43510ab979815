// Fragilizing from an uploaded sample set (sampleSets.upload): the job's dataset is
// `sample-set:<sha256>`, the digest of the images' bundle in the artifact store. The bundle is
// unpacked once per worker machine into <artifacts>/sample-sets/<sha256>/ (like uploaded models)
// and read by @modelseal/datasets' folder loader, as `folder:` datasets are.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { materializeOnce, uploadedSampleSetFolder } from '@modelseal/artifacts';
import { isModelSealError, ModelSealError, type ModelDescription } from '@modelseal/core';
import { concatImageSets, decodeImage, loadDataset, toModelBatch, type Dataset } from '@modelseal/datasets';
import { parseSampleSetSpec, sampleSetLabelMap } from '@modelseal/jobs';
import type { WorkerContext } from './context.ts';

export interface SampleSetSource {
  /** The set's name, for messages. */
  readonly name: string;
  /** Where its images are unpacked: `<class>/<image>` files. */
  readonly dir: string;
  /** Loads the images; `channels` 3 makes all-gray images RGB (the loader's own option). */
  load(channels?: 1 | 3): Promise<Dataset>;
}

/** Whether a dataset spec names an uploaded sample set (a malformed `sample-set:` spec counts: it must not load as anything else). */
export function isSampleSetSpec(spec: string): boolean {
  try {
    return parseSampleSetSpec(spec) !== undefined;
  } catch {
    return true;
  }
}

/**
 * The sample set a job's `sample-set:` spec names. The digest alone is not trusted: a SampleSet row
 * of the job's own project must hold that bundle, so a digest of another project's images (or of a
 * deleted set) loads nothing.
 */
export async function openSampleSet(context: WorkerContext, projectId: string, spec: string): Promise<SampleSetSource> {
  let digest: string | undefined;
  try {
    digest = parseSampleSetSpec(spec);
  } catch (error) {
    throw new ModelSealError('INVALID_ARGUMENT', (error as Error).message);
  }
  if (digest === undefined) throw new ModelSealError('INVALID_ARGUMENT', `dataset ${JSON.stringify(spec)} does not name a sample set`);
  const ref = `sha256:${digest}`;
  const row = await context.prisma.sampleSet.findFirst({ where: { projectId, artifactRef: ref }, select: { name: true } });
  if (!row) {
    throw new ModelSealError('INVALID_ARGUMENT', `dataset ${spec} names no sample set of this project (it was deleted, or never uploaded here): upload the samples again`);
  }
  if (!(await context.artifacts.has(ref, { kind: 'dataset' }))) {
    throw new ModelSealError('DATASET', `the images of sample set "${row.name}" (${ref}) are not in the artifact store at ${context.artifacts.root}; upload them again`);
  }
  const dir = await materializeOnce(context.artifacts, ref, uploadedSampleSetFolder(context.artifactsDir, digest));
  return {
    name: row.name,
    dir,
    async load(channels) {
      const folder = await loadDataset(`folder:${dir}`, channels === undefined ? {} : { channels });
      // The loader holds a fifth out as a test split; every uploaded image is a candidate here, so
      // both halves are joined (train first, each in the loader's order: deterministic).
      const all = concatImageSets([folder.train, folder.test]);
      return { name: spec, classNames: folder.classNames, train: all, test: all, source: `sample set "${row.name}"` };
    },
  };
}

/** What a model's input fixes about images: height, width and channels, when its layout says. */
function inputGeometry(description: ModelDescription): { height: number; width: number; channels: number } | undefined {
  const shape = description.inputShape;
  if (description.layout === 'NCHW' && shape.length === 3) return { channels: shape[0]!, height: shape[1]!, width: shape[2]! };
  if (description.layout === 'NHWC' && shape.length === 3) return { height: shape[0]!, width: shape[1]!, channels: shape[2]! };
  return undefined;
}

const channelWord = (channels: number) => (channels === 1 ? 'grayscale' : channels === 3 ? 'RGB' : `${channels}-channel`);

/**
 * The sample set's images as the model takes them, labelled with the model's classes (see
 * labelForModel), or an INPUT_SHAPE error naming an image that does not fit and the shape the
 * model expects. Nothing is resized or cropped (the folder loader
 * resizes only when asked, and a resized sample is not the one that was uploaded); the only
 * conversion is the loader's lossless one, from all-gray images to RGB for a colour model.
 */
export async function fitSampleSet(source: SampleSetSource, dataset: Dataset, description: ModelDescription, modelName: string): Promise<Dataset> {
  const expected = inputGeometry(description);
  let fitted = dataset;
  if (expected?.channels === 3 && dataset.test.channels === 1) fitted = await source.load(3);
  try {
    toModelBatch(fitted.test, description, [0]);
    return labelForModel(fitted, description);
  } catch (error) {
    if (!isModelSealError(error) || error.code !== 'INPUT_SHAPE') throw error;
  }
  const takes = expected
    ? `${expected.width}×${expected.height} ${channelWord(expected.channels)} images`
    : `${description.inputShape.reduce((a, b) => a * b, 1)} values per sample`;
  const wanted = `model "${modelName}" takes ${takes} (input [${description.inputShape.join(', ')}], ${description.layout})`;
  const { file, image } = await firstMisfit(source.dir, fitted.classNames, expected);
  const what = `${image.width}×${image.height} ${image.gray ? 'grayscale' : 'colour'} image`;
  throw new ModelSealError(
    'INPUT_SHAPE',
    `sample set "${source.name}": ${file} is a ${what}, but ${wanted}. Uploaded samples are not resized or converted: upload images of that size` +
      (expected?.channels === 1 ? ', in grayscale' : ''),
  );
}

/**
 * The folder loader labels images by their class folder's rank; the model's outputs have their own
 * order. Relabels the images with the model's class for each folder (see sampleSetLabelMap), and
 * names the classes as the model's outputs are numbered.
 */
function labelForModel(dataset: Dataset, description: ModelDescription): Dataset {
  const folders = dataset.classNames;
  const map = sampleSetLabelMap(folders, description);
  const identity = map.every((label, i) => label === i) && folders.length === description.numClasses;
  const classNames = description.classNames ?? (identity ? folders : Array.from({ length: description.numClasses }, (_, i) => String(i)));
  const images = { ...dataset.test, labels: dataset.test.labels.map((label) => map[label]!) };
  return { ...dataset, classNames, train: images, test: images };
}

/** The first image (in the loader's order) that does not fit the expected geometry; else the first image. */
async function firstMisfit(dir: string, classNames: readonly string[], expected: { height: number; width: number; channels: number } | undefined) {
  let first: { file: string; image: ReturnType<typeof decodeImage> } | undefined;
  for (const folder of classNames) {
    const names = (await readdir(join(dir, folder))).filter((name) => !name.startsWith('.')).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) {
      const file = `${folder}/${name}`;
      const image = decodeImage(await readFile(join(dir, folder, name)), file);
      first ??= { file, image };
      if (expected && (image.height !== expected.height || image.width !== expected.width || (expected.channels === 1 && !image.gray))) return { file, image };
    }
  }
  if (!first) throw new ModelSealError('DATASET', 'the sample set holds no images');
  return first;
}
