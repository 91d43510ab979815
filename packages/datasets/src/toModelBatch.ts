import { ModelSealError } from '@modelseal/core';
import type { ModelDescription } from '@modelseal/core';
import { describeImageShape, imageSize } from './imageSet.ts';
import type { Images } from './types.ts';

/** The part of a model description that fixes how images are fed to it. */
export type ModelInput = Pick<ModelDescription, 'inputShape' | 'layout' | 'valueRange'>;

export interface ModelBatch {
  readonly data: Float32Array;
  /** `[N, ...inputShape]`. */
  readonly shape: number[];
}

export interface ImageGeometry {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** Per-sample shape a model with this layout needs for images of this geometry. */
function sampleShape(geometry: ImageGeometry, layout: ModelInput['layout']): number[] {
  const { height, width, channels } = geometry;
  switch (layout) {
    case 'NCHW':
      return [channels, height, width];
    case 'NHWC':
      return [height, width, channels];
    case 'flat':
      return [height * width * channels];
  }
}

function checkRange(model: ModelInput): readonly [number, number] {
  const [lo, hi] = model.valueRange;
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi)) {
    throw new ModelSealError('INVALID_ARGUMENT', `model value range must be two finite numbers lo < hi, got [${lo}, ${hi}]`);
  }
  return [lo, hi];
}

function checkLayout(layout: string): void {
  if (layout !== 'NCHW' && layout !== 'NHWC' && layout !== 'flat') {
    throw new ModelSealError('INVALID_ARGUMENT', `model layout must be NCHW, NHWC or flat, got ${JSON.stringify(layout)}`);
  }
}

/**
 * Images (HWC in [0, 1]) as a batch the model accepts: transposed to CHW for
 * NCHW, kept for NHWC, HWC-flattened for `flat`, and mapped linearly onto the
 * model's value range. `indices` picks images without copying the set first.
 */
export function toModelBatch(images: Images, model: ModelInput, indices?: readonly number[]): ModelBatch {
  checkLayout(model.layout);
  const [lo, hi] = checkRange(model);
  const expected = sampleShape(images, model.layout);
  if (expected.length !== model.inputShape.length || expected.some((dim, i) => dim !== model.inputShape[i])) {
    throw new ModelSealError(
      'INPUT_SHAPE',
      `dataset images are ${describeImageShape(images)} but the model expects [${model.inputShape.join(', ')}] (${model.layout})`,
    );
  }
  const picks = indices ?? Array.from({ length: images.count }, (_, i) => i);
  const { height, width, channels } = images;
  const size = imageSize(images);
  const plane = height * width;
  const scale = hi - lo;
  const data = new Float32Array(picks.length * size);
  picks.forEach((index, n) => {
    if (!Number.isInteger(index) || index < 0 || index >= images.count) {
      throw new ModelSealError('INVALID_ARGUMENT', `toModelBatch: index ${index} is out of range for ${images.count} images`);
    }
    const source = index * size;
    const target = n * size;
    if (model.layout === 'NCHW') {
      for (let p = 0; p < plane; p++) {
        for (let c = 0; c < channels; c++) data[target + c * plane + p] = lo + scale * images.pixels[source + p * channels + c]!;
      }
    } else {
      for (let i = 0; i < size; i++) data[target + i] = lo + scale * images.pixels[source + i]!;
    }
  });
  return { data, shape: [picks.length, ...expected] };
}

/**
 * The inverse of `toModelBatch`: HWC images in [0, 1], e.g. to render pictures
 * or compare an input before and after a perturbation. Values are clipped to
 * [0, 1] because a model-space batch may stray outside the value range. A flat
 * layout does not say how pixels form an image, so it needs `geometry`.
 */
export function fromModelBatch(
  batch: { readonly data: Float32Array; readonly shape: readonly number[] },
  model: ModelInput,
  geometry?: ImageGeometry,
): Images {
  checkLayout(model.layout);
  const [lo, hi] = checkRange(model);
  const shape = model.inputShape;
  let resolved: ImageGeometry;
  if (model.layout === 'flat') {
    if (geometry === undefined) {
      throw new ModelSealError('INVALID_ARGUMENT', 'fromModelBatch: a flat model input needs the image height, width and channels');
    }
    resolved = geometry;
  } else if (model.layout === 'NCHW') {
    resolved = { channels: shape[0]!, height: shape[1]!, width: shape[2]! };
  } else {
    resolved = { height: shape[0]!, width: shape[1]!, channels: shape[2]! };
  }
  const sample = sampleShape(resolved, model.layout);
  const matches =
    shape.length === sample.length &&
    sample.every((dim, i) => dim === shape[i]) &&
    batch.shape.length === sample.length + 1 &&
    sample.every((dim, i) => dim === batch.shape[i + 1]);
  const count = batch.shape[0] ?? 0;
  if (!matches || batch.data.length !== count * imageSize(resolved)) {
    throw new ModelSealError(
      'INPUT_SHAPE',
      `fromModelBatch: batch of shape [${batch.shape.join(', ')}] does not match the model input [N, ${shape.join(', ')}] (${model.layout})` +
        (model.layout === 'flat' ? ` for ${describeImageShape(resolved)} images` : ''),
    );
  }
  const { height, width, channels } = resolved;
  const size = imageSize(resolved);
  const plane = height * width;
  const pixels = new Float32Array(count * size);
  const unscale = (value: number): number => {
    if (!Number.isFinite(value)) throw new ModelSealError('NON_FINITE', 'fromModelBatch: the batch holds a non-finite value');
    return Math.min(1, Math.max(0, (value - lo) / (hi - lo)));
  };
  for (let n = 0; n < count; n++) {
    const base = n * size;
    if (model.layout === 'NCHW') {
      for (let p = 0; p < plane; p++) {
        for (let c = 0; c < channels; c++) pixels[base + p * channels + c] = unscale(batch.data[base + c * plane + p]!);
      }
    } else {
      for (let i = 0; i < size; i++) pixels[base + i] = unscale(batch.data[base + i]!);
    }
  }
  return { height, width, channels, pixels, count };
}
