// A page of a trigger set as the dashboard shows it: each fragile sample as a picture beside
// its original, with its labels, recorded probabilities and image quality.
import { finiteOrNull, psnrBatch, ssimBatch, type Layout, type TriggerSet } from '@modelseal/core';
import { encodePng, fromModelBatch, type ImageGeometry } from '@modelseal/datasets';
import type { Originals } from './originals.ts';

/** A PNG as a data URL (`data:image/png;base64,...`), at the sample's own size: upscaling is the browser's job. */
export type PngDataUrl = string;

export interface PreviewSample {
  /** Position in the trigger set. */
  readonly index: number;
  /** The label recorded at enrolment (what an intact model answers). */
  readonly label: number;
  readonly className: string | null;
  /** The model's label for the original image, before fragilization; null when not recorded. */
  readonly originalLabel: number | null;
  /** The probabilities the model gave the fragile sample at enrolment. */
  readonly probabilities: number[];
  /** Top-1 minus top-2 of `probabilities`: how close the sample sits to the decision boundary. */
  readonly margin: number;
  /** Null for callers who may not see trigger-set inputs, and for inputs that are not images. */
  readonly fragile: PngDataUrl | null;
  readonly original: PngDataUrl | null;
  /** Fragile vs original in the model's value range; null without an original, or when the two are identical (PSNR ∞). */
  readonly psnr: number | null;
  /** Null without an original, or for inputs that are not images. */
  readonly ssim: number | null;
}

export interface TriggerSetPreview {
  readonly total: number;
  /** Shape of one sample, in the model's layout. */
  readonly inputShape: number[];
  readonly layout: Layout;
  readonly valueRange: [number, number];
  readonly classNames: string[] | null;
  /** Whether the caller may see trigger-set inputs; when false every picture is null. */
  readonly canSeeInputs: boolean;
  /** Whether the samples are images with 1 or 3 channels, i.e. whether pictures can be shown at all. */
  readonly imageLike: boolean;
  /** The dataset the originals come from; null when they are not available on this server. */
  readonly originalsFrom: string | null;
  readonly samples: PreviewSample[];
}

/** How one sample's values form an image, and the shape and layout to read them as one. */
interface ImageView {
  readonly geometry: ImageGeometry;
  readonly shape: number[];
  readonly layout: 'NCHW' | 'NHWC';
}

function imageView(layout: Layout, shape: readonly number[], datasetGeometry: ImageGeometry | undefined): ImageView | undefined {
  const positive = shape.every((d) => Number.isSafeInteger(d) && d > 0);
  if (!positive) return undefined;
  if (shape.length === 3 && layout === 'NCHW') return { geometry: { channels: shape[0]!, height: shape[1]!, width: shape[2]! }, shape: [...shape], layout };
  if (shape.length === 3 && layout === 'NHWC') return { geometry: { height: shape[0]!, width: shape[1]!, channels: shape[2]! }, shape: [...shape], layout };
  // [H, W]: one channel, the same values in the same order as [H, W, 1].
  if (shape.length === 2 && layout !== 'flat') return { geometry: { height: shape[0]!, width: shape[1]!, channels: 1 }, shape: [shape[0]!, shape[1]!, 1], layout: 'NHWC' };
  // A flat input says nothing about its image size; the dataset it came from does (flattened HWC, see toModelBatch).
  if (shape.length === 1 && layout === 'flat' && datasetGeometry) {
    const { height, width, channels } = datasetGeometry;
    if (height * width * channels === shape[0]) return { geometry: datasetGeometry, shape: [height, width, channels], layout: 'NHWC' };
  }
  return undefined;
}

function pngDataUrl(sample: Float32Array, view: ImageView, valueRange: readonly [number, number]): PngDataUrl {
  const images = fromModelBatch({ data: sample, shape: [1, ...view.shape] }, { inputShape: view.shape, layout: view.layout, valueRange });
  return `data:image/png;base64,${encodePng(images, 0).toString('base64')}`;
}

function topTwoMargin(probabilities: readonly number[]): number {
  let first = -Infinity;
  let second = -Infinity;
  for (const p of probabilities) {
    if (p > first) [first, second] = [p, first];
    else if (p > second) second = p;
  }
  return Number.isFinite(second) ? first - second : first;
}

/** PSNR and SSIM of each fragile sample against its original, as the CLI reports them (packages/cli/src/quality.ts). */
function imageQuality(
  original: Float32Array,
  fragile: Float32Array,
  count: number,
  size: number,
  view: ImageView | undefined,
  valueRange: readonly [number, number],
): { psnr: (number | null)[]; ssim: (number | null)[] } {
  const dataRange = valueRange[1] - valueRange[0];
  const none = Array.from({ length: count }, () => null);
  const metric = (compute: () => readonly number[]): (number | null)[] => {
    // A sample the metrics refuse (non-finite values, an image smaller than the SSIM window) has no quality to show.
    try {
      return compute().map(finiteOrNull);
    } catch {
      return none;
    }
  };
  const psnr = metric(() => psnrBatch({ data: original, shape: [count, size] }, { data: fragile, shape: [count, size] }, { dataRange }).values);
  if (!view) return { psnr, ssim: none };
  const shape = [count, ...view.shape];
  return { psnr, ssim: metric(() => ssimBatch({ data: original, shape }, { data: fragile, shape }, { dataRange, layout: view.layout }).values) };
}

export interface PreviewOptions {
  readonly offset: number;
  readonly limit: number;
  readonly canSeeInputs: boolean;
  readonly originals?: Originals | undefined;
}

export function buildPreview(set: TriggerSet, options: PreviewOptions): TriggerSetPreview {
  const { inputs, labels, probabilities, metadata } = set;
  const total = labels.length;
  const sampleShape = inputs.shape.slice(1);
  const size = sampleShape.reduce((a, b) => a * b, 1);
  const numClasses = probabilities.shape[1] ?? 0;
  const { originals, canSeeInputs } = options;
  const view = imageView(metadata.layout, sampleShape, originals?.geometry);
  const imageLike = view !== undefined && (view.geometry.channels === 1 || view.geometry.channels === 3);
  const classNames = metadata.classNames ? [...metadata.classNames] : null;
  const originalLabels = Array.isArray(metadata.extra.originalLabels) ? metadata.extra.originalLabels : [];

  const page = Array.from({ length: Math.max(0, Math.min(options.limit, total - options.offset)) }, (_, i) => options.offset + i);
  const first = page[0] ?? 0;
  const fragile = inputs.data.subarray(first * size, (first + page.length) * size);
  const original = originals && page.length > 0 ? originals.inputs(page) : undefined;
  const quality = original ? imageQuality(original, fragile, page.length, size, view, metadata.valueRange) : undefined;

  const samples = page.map((index, i): PreviewSample => {
    const label = labels[index]!;
    const probs = Array.from(probabilities.data.subarray(index * numClasses, (index + 1) * numClasses));
    const recorded = originalLabels[index];
    const show = canSeeInputs && imageLike && view !== undefined;
    return {
      index,
      label,
      className: classNames?.[label] ?? null,
      originalLabel: typeof recorded === 'number' ? recorded : null,
      probabilities: probs,
      margin: topTwoMargin(probs),
      fragile: show ? pngDataUrl(fragile.subarray(i * size, (i + 1) * size), view, metadata.valueRange) : null,
      original: show && original ? pngDataUrl(original.subarray(i * size, (i + 1) * size), view, metadata.valueRange) : null,
      psnr: quality?.psnr[i] ?? null,
      ssim: quality?.ssim[i] ?? null,
    };
  });

  return {
    total,
    inputShape: sampleShape,
    layout: metadata.layout,
    valueRange: [metadata.valueRange[0], metadata.valueRange[1]],
    classNames,
    canSeeInputs,
    imageLike,
    originalsFrom: originals?.dataset ?? null,
    samples,
  };
}
