import * as tf from '@tensorflow/tfjs';
import type { WasmBackend } from './backends.ts';

interface MaxPoolGradAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * MaxPoolGrad for wasm in plain JS. The wasm backend's own kernel (4.22) drops
 * gradient entries when there is more than one channel, which made `vjp` of any
 * CNN with max-pooling wrong on wasm. Like the cpu backend, each window's
 * gradient goes to its first maximum (row-major), which matters on flat image
 * backgrounds where whole windows tie.
 */
export const maxPoolGrad: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const wasm = backend as unknown as WasmBackend;
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, effectiveFilterHeight, effectiveFilterWidth } = info;
  const { top, left } = info.padInfo;
  const x = wasm.readSync(input.dataId) as Float32Array;
  const gradient = wasm.readSync(dy.dataId) as Float32Array;
  const dx = new Float32Array(x.length);
  const best = new Float64Array(channels);
  const where = new Int32Array(channels);
  let outBase = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let outRow = 0; outRow < outHeight; outRow++) {
      for (let outCol = 0; outCol < outWidth; outCol++, outBase += channels) {
        best.fill(-Infinity);
        where.fill(-1);
        const rowStart = outRow * strideHeight - top;
        const colStart = outCol * strideWidth - left;
        for (let wr = 0; wr < effectiveFilterHeight; wr += dilationHeight) {
          const row = rowStart + wr;
          if (row < 0 || row >= inHeight) continue;
          for (let wc = 0; wc < effectiveFilterWidth; wc += dilationWidth) {
            const col = colStart + wc;
            if (col < 0 || col >= inWidth) continue;
            const base = ((b * inHeight + row) * inWidth + col) * channels;
            for (let c = 0; c < channels; c++) {
              const value = x[base + c]!;
              if (value > best[c]!) {
                best[c] = value;
                where[c] = base + c;
              }
            }
          }
        }
        for (let c = 0; c < channels; c++) {
          const position = where[c]!;
          if (position >= 0) dx[position] = dx[position]! + gradient[outBase + c]!;
        }
      }
    }
  }
  return wasm.makeOutput([...input.shape], input.dtype, undefined, dx);
};
