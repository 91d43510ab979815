/** Images as the metrics see them, and conversion of model batches into them. */
import type { Layout } from '../adapter/contract.ts';
import { ModelSealError } from '../errors.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { formatShape } from '../tensor/tensor.ts';

export type ImageLayout = 'HWC' | 'CHW';

export interface MetricImage {
  readonly data: Float32Array;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly layout: ImageLayout;
}

export function assertImage(image: MetricImage, name: string): void {
  const { height, width, channels, layout, data } = image;
  if (![height, width, channels].every((n) => Number.isSafeInteger(n) && n > 0)) {
    throw new ModelSealError(
      'INVALID_ARGUMENT',
      `${name}: height, width and channels must be positive integers, got ${height}×${width}×${channels}`,
    );
  }
  if (layout !== 'HWC' && layout !== 'CHW') {
    throw new ModelSealError('INVALID_ARGUMENT', `${name}: layout must be HWC or CHW, got ${String(layout)}`);
  }
  if (data.length !== height * width * channels) {
    throw new ModelSealError(
      'INVALID_ARGUMENT',
      `${name}: ${height}×${width}×${channels} needs ${height * width * channels} values, got ${data.length}`,
    );
  }
}

/** One channel as a row-major height×width plane, in float64 for accurate filtering. */
export function channelPlane(image: MetricImage, channel: number): Float64Array {
  const { data, height, width, channels } = image;
  const plane = new Float64Array(height * width);
  if (image.layout === 'CHW') {
    const start = channel * height * width;
    for (let i = 0; i < plane.length; i++) plane[i] = data[start + i]!;
  } else {
    for (let i = 0; i < plane.length; i++) plane[i] = data[i * channels + channel]!;
  }
  return plane;
}

/**
 * Splits a batch in the model's layout into images (views, no copies). Accepts
 * `[N, C, H, W]` (NCHW), `[N, H, W, C]` (NHWC), or `[N, H, W]` (one channel).
 */
export function batchImages(batch: Tensor, layout: Layout, name: string): MetricImage[] {
  const shape = batch.shape;
  if (layout === 'flat') {
    throw new ModelSealError('INVALID_ARGUMENT', `${name}: image metrics need an NCHW or NHWC batch, got layout flat`);
  }
  let dims: { n: number; height: number; width: number; channels: number };
  if (shape.length === 3) {
    dims = { n: shape[0]!, height: shape[1]!, width: shape[2]!, channels: 1 };
  } else if (shape.length === 4 && layout === 'NCHW') {
    dims = { n: shape[0]!, channels: shape[1]!, height: shape[2]!, width: shape[3]! };
  } else if (shape.length === 4) {
    dims = { n: shape[0]!, height: shape[1]!, width: shape[2]!, channels: shape[3]! };
  } else {
    throw new ModelSealError(
      'INVALID_ARGUMENT',
      `${name}: expected a ${layout} batch of rank 4 (or [N, H, W]), got shape ${formatShape(shape)}`,
    );
  }
  const size = dims.height * dims.width * dims.channels;
  if (batch.data.length !== dims.n * size) {
    throw new ModelSealError(
      'INVALID_ARGUMENT',
      `${name}: shape ${formatShape(shape)} needs ${dims.n * size} values, got ${batch.data.length}`,
    );
  }
  const imageLayout: ImageLayout = layout === 'NCHW' || shape.length === 3 ? 'CHW' : 'HWC';
  return Array.from({ length: dims.n }, (_, i) => ({
    data: batch.data.subarray(i * size, (i + 1) * size),
    height: dims.height,
    width: dims.width,
    channels: dims.channels,
    layout: imageLayout,
  }));
}

export function assertDataRange(dataRange: number): void {
  if (!Number.isFinite(dataRange) || dataRange <= 0) {
    throw new ModelSealError('INVALID_ARGUMENT', `data range must be a positive finite number, got ${dataRange}`);
  }
}
