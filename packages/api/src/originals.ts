// The dataset images a trigger set was made from, for showing each fragile sample beside its
// original. The worker records the dataset and the sample indices in the set's metadata
// (apps/worker/src/handlers/fragilize.ts); whether the API's host can load that dataset too
// is not guaranteed, so every step here may answer "not available".
import type { TriggerSet } from '@modelseal/core';
import { loadDataset, toModelBatch, type Dataset, type ImageGeometry, type ImageSet } from '@modelseal/datasets';

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
export async function findOriginals(set: TriggerSet, specs: readonly string[]): Promise<Originals | undefined> {
  const { extra, layout, valueRange } = set.metadata;
  const indices = extra.sampleIndices;
  const total = set.labels.length;
  if (!isIndexList(indices) || indices.length !== total) return undefined;
  const originalLabels = isIndexList(extra.originalLabels) && extra.originalLabels.length === total ? extra.originalLabels : undefined;
  const split = extra.split === 'train' ? 'train' : 'test';
  const model = { inputShape: set.inputs.shape.slice(1), layout, valueRange };

  for (const spec of new Set(specs)) {
    const dataset = await loadCached(spec).catch(() => undefined);
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
