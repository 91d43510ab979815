// How a fragilize job names an uploaded sample set (sampleSets.upload) as its dataset: by the
// digest of the bundle in the artifact store. A digest alone grants nothing: the worker loads it
// only while a SampleSet row of the job's own project holds that bundle.
import { ModelSealError } from '@modelseal/core';

/** Prefix of the dataset spec that names an uploaded sample set: `sample-set:<sha256 hex>`. */
export const SAMPLE_SET_SPEC_PREFIX = 'sample-set:';

const DIGEST = /^[0-9a-f]{64}$/;

/** The dataset spec for the sample set whose bundle has this sha256 digest (64 lower-case hex digits). */
export function sampleSetSpec(digest: string): string {
  if (!DIGEST.test(digest)) throw new Error(`not a sha256 digest: ${JSON.stringify(digest.slice(0, 80))}`);
  return `${SAMPLE_SET_SPEC_PREFIX}${digest}`;
}

/**
 * The bundle digest a `sample-set:` spec names; undefined for every other spec. A spec with the
 * prefix but no valid digest is an error, so it never falls through to another loader.
 */
export function parseSampleSetSpec(spec: string): string | undefined {
  if (!spec.startsWith(SAMPLE_SET_SPEC_PREFIX)) return undefined;
  const digest = spec.slice(SAMPLE_SET_SPEC_PREFIX.length);
  if (!DIGEST.test(digest)) throw new Error(`invalid sample-set dataset ${JSON.stringify(spec.slice(0, 100))}: expected sample-set:<sha256 hex digest>`);
  return digest;
}

const INDEX = /^(0|[1-9][0-9]*)$/;

/**
 * Which model output each class folder of a sample set stands for, as a list indexed by the folder
 * loader's label (class folders sorted by name). In order of preference:
 * 1. the model names its classes and every folder is one of those names: that class;
 * 2. every folder is an output index (`0`, `7`, …) below the model's class count: that index;
 * 3. there are exactly as many folders as classes: the folders in sorted order (the loader's own labels).
 * Anything else cannot be matched to the model's outputs, and is an INVALID_ARGUMENT error.
 * The worker labels samples this way, and the API finds originals the same way from what the
 * trigger set records (its class names and count).
 */
export function sampleSetLabelMap(folders: readonly string[], model: { readonly classNames?: readonly string[] | undefined; readonly numClasses: number }): number[] {
  const named = model.classNames;
  if (named && folders.every((folder) => named.includes(folder))) return folders.map((folder) => named.indexOf(folder));
  if (folders.every((folder) => INDEX.test(folder) && Number(folder) < model.numClasses)) return folders.map(Number);
  if (folders.length === model.numClasses) return folders.map((_, i) => i);
  throw new ModelSealError(
    'INVALID_ARGUMENT',
    `the sample set's class folders (${folders.join(', ')}) do not match the model's ${model.numClasses} classes: name each folder after a class of the model` +
      (named ? ` (${named.slice(0, 20).join(', ')}${named.length > 20 ? ', …' : ''})` : '') +
      ` or after its output index (0 to ${model.numClasses - 1}), or give one folder per class`,
  );
}
