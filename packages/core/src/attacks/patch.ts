import type { ModelDescription } from '../adapter/contract.ts';
import { ModelSealError } from '../errors.ts';
import { assertBatchShape, type Tensor } from '../tensor/tensor.ts';

export type PatchCorner = 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right';

/** A BadNets-style trigger: a solid square in one corner of the image. */
export interface Patch {
  /** Side length in pixels. */
  readonly size: number;
  /** Pixel value in [0, 1] image space, mapped onto the model's value range (1 = white). */
  readonly value: number;
  readonly corner: PatchCorner;
}

export interface PatchGeometry {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** How one sample is laid out; `geometry` is needed only for flat inputs, which do not say their image shape. */
export type PatchInput = Pick<ModelDescription, 'inputShape' | 'layout' | 'valueRange'> & { readonly geometry?: PatchGeometry };

function geometryOf(input: PatchInput): PatchGeometry {
  const shape = input.inputShape;
  if (input.layout === 'NHWC' && shape.length === 3) return { height: shape[0]!, width: shape[1]!, channels: shape[2]! };
  if (input.layout === 'NCHW' && shape.length === 3) return { channels: shape[0]!, height: shape[1]!, width: shape[2]! };
  if (input.layout === 'flat' && input.geometry) {
    const { height, width, channels } = input.geometry;
    if (height * width * channels === shape.reduce((a, b) => a * b, 1)) return input.geometry;
  }
  throw new ModelSealError(
    'INVALID_ARGUMENT',
    `cannot place a patch on inputs of shape [${shape.join(', ')}] (${input.layout})` +
      (input.layout === 'flat' ? '; give the image height, width and channels' : ''),
  );
}

/** Offset of pixel (y, x), channel c within one sample. */
function offsetFn(layout: PatchInput['layout'], g: PatchGeometry): (y: number, x: number, c: number) => number {
  return layout === 'NCHW' ? (y, x, c) => c * g.height * g.width + y * g.width + x : (y, x, c) => (y * g.width + x) * g.channels + c;
}

/** A copy of `batch` with the patch stamped on the given rows (default: all), in every channel. */
export function stampPatch(batch: Tensor, input: PatchInput, patch: Patch, rows?: readonly number[]): Tensor {
  const count = assertBatchShape(batch, input.inputShape, 'patch input');
  const g = geometryOf(input);
  if (!(Number.isInteger(patch.size) && patch.size >= 1 && patch.size <= Math.min(g.height, g.width))) {
    throw new ModelSealError('INVALID_ARGUMENT', `patch size must be an integer in [1, ${Math.min(g.height, g.width)}], got ${patch.size}`);
  }
  if (!(patch.value >= 0 && patch.value <= 1)) {
    throw new ModelSealError('INVALID_ARGUMENT', `patch value must be in [0, 1] (image space), got ${patch.value}`);
  }
  const [lo, hi] = input.valueRange;
  const value = lo + patch.value * (hi - lo);
  const top = patch.corner.startsWith('top') ? 0 : g.height - patch.size;
  const left = patch.corner.endsWith('left') ? 0 : g.width - patch.size;
  const offset = offsetFn(input.layout, g);
  const sampleSize = g.height * g.width * g.channels;
  const data = batch.data.slice();
  for (const r of rows ?? Array.from({ length: count }, (_, i) => i)) {
    if (!(Number.isInteger(r) && r >= 0 && r < count)) throw new ModelSealError('INVALID_ARGUMENT', `patch row ${r} is out of range for ${count} samples`);
    for (let y = top; y < top + patch.size; y++) {
      for (let x = left; x < left + patch.size; x++) {
        for (let c = 0; c < g.channels; c++) data[r * sampleSize + offset(y, x, c)] = value;
      }
    }
  }
  return { data, shape: [...batch.shape] };
}
