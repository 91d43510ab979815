// The dataset images a trigger set was made from, for showing each fragile sample beside its
// original. The worker records the dataset and the sample indices in the set's metadata
// (apps/worker/src/handlers/fragilize.ts); whether the API's host can load that dataset too
// is not guaranteed, so every step here may answer "not available".
import { materializeOnce, uploadedSampleSetFolder } from '@modelseal/artifacts';
import type { TriggerSet } from '@modelseal/core';
import { concatImageSets, loadDataset, toModelBatch, type Dataset, type ImageGeometry, type ImageSet } from '@modelseal/datasets';
import { parseSampleSetSpec, sampleSetLabelMap } from '@modelseal/jobs';
import type { Context } from './context.ts';

// Datasets are tens to hundreds of MB as floats and take a second or more to decode: one copy
// per process, shared by every request. A failed load is forgotten, so installing the dataset
// later makes originals appear without a restart.
const datasets = new Map<string, Promise<Dataset>>();

function loadCached(spec: string): Promise<Dataset> {
  let dataset = datasets.get(spec);
  if (dataset === undefined) {
    dataset = loadDataset(spec);
    datasets.set(spec, dataset);
    dataset.catch(() => datasets.delete(spec));
  }
  return dataset;
}

/** Loads a dataset spec for a trigger set made from it, or answers undefined when it is not available here. */
export type DatasetLoader = (spec: string, set: TriggerSet) => Promise<Dataset | undefined>;

/** Dataset specs this server loads on its own (mnist, folders it can read, ...), cached per process. */
export const loadSharedDataset: DatasetLoader = (spec) => loadCached(spec).catch(() => undefined);

/**
 * A loader that also opens the sample sets of one project (`sample-set:<sha256>`, see
 * sampleSets.upload), unpacked from the artifact store as the worker unpacks them: every image in
 * the loader's order, train half then test half, which is how the worker indexes them, labelled
 * with the model's classes as the worker labelled them (from what the trigger set records). A
 * digest that no sample set of the project holds loads nothing.
 */
export function projectDatasetLoader(ctx: Context, projectId: string): DatasetLoader {
  return async (spec, set) => {
    let digest: string | undefined;
    try {
      digest = parseSampleSetSpec(spec);
    } catch {
      return undefined;
    }
    if (digest === undefined) return loadSharedDataset(spec, set);
    const { artifacts } = ctx;
    const ref = `sha256:${digest}`;
    if (!artifacts || !(await ctx.prisma.sampleSet.findFirst({ where: { projectId, artifactRef: ref }, select: { id: true } }))) return undefined;
    const key = `${spec}@${ctx.artifactsDir}`;
    let dataset = datasets.get(key);
    if (dataset === undefined) {
      dataset = (async () => {
        const dir = await materializeOnce(artifacts, ref, uploadedSampleSetFolder(ctx.artifactsDir, digest));
        const folder = await loadDataset(`folder:${dir}`);
        const all = concatImageSets([folder.train, folder.test]);
        return { name: spec, classNames: folder.classNames, train: all, test: all, source: dir };
      })();
      datasets.set(key, dataset);
      dataset.catch(() => datasets.delete(key));
    }
    const folder = await dataset.catch(() => undefined);
    if (!folder) return undefined;
    let map: number[];
    try {
      map = sampleSetLabelMap(folder.classNames, { classNames: set.metadata.classNames, numClasses: set.probabilities.shape[1] ?? 0 });
    } catch {
      return undefined;
    }
    const images = { ...folder.test, labels: folder.test.labels.map((label) => map[label]!) };
    return { ...folder, train: images, test: images };
  };
}

export interface Originals {
  /** The dataset spec the originals were loaded from. */
  readonly dataset: string;
  /** The dataset's image size, which also tells how a flat model input forms an image. */
  readonly geometry: ImageGeometry;
  /** The originals of the given trigger samples, in the model's layout and value range, one after another. */
  inputs(sampleIndices: readonly number[]): Float32Array;
}

const isIndexList = (value: unknown): value is number[] => Array.isArray(value) && value.every((v) => Number.isSafeInteger(v) && v >= 0);

/**
 * Finds the originals of a trigger set's samples: the first dataset spec that loads, holds every
 * recorded index, and labels those images as the model did before fragilization (the worker only
 * picks correctly classified samples). A dataset that fails any of that is not the one the set
 * was made from, and no originals are shown rather than wrong ones.
 */
export async function findOriginals(set: TriggerSet, specs: readonly string[], load: DatasetLoader = loadSharedDataset): Promise<Originals | undefined> {
  const { extra, layout, valueRange } = set.metadata;
  const indices = extra.sampleIndices;
  const total = set.labels.length;
  if (!isIndexList(indices) || indices.length !== total) return undefined;
  const originalLabels = isIndexList(extra.originalLabels) && extra.originalLabels.length === total ? extra.originalLabels : undefined;
  const split = extra.split === 'train' ? 'train' : 'test';
  const model = { inputShape: set.inputs.shape.slice(1), layout, valueRange };

  for (const spec of new Set(specs)) {
    const dataset = await load(spec, set);
    if (!dataset) continue;
    const images: ImageSet = dataset[split];
    if (indices.some((index) => index >= images.count)) continue;
    if (originalLabels && indices.some((index, i) => images.labels[index] !== originalLabels[i])) continue;
    try {
      // Throws when the dataset's images do not fit the model's input.
      toModelBatch(images, model, indices.slice(0, 1));
    } catch {
      continue;
    }
    return {
      dataset: spec,
      geometry: { height: images.height, width: images.width, channels: images.channels },
      inputs: (sampleIndices) => toModelBatch(images, model, sampleIndices.map((i) => indices[i]!)).data,
    };
  }
  return undefined;
}
