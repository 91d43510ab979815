import { ModelSealError } from '../errors.ts';

/** A dense float32 tensor in row-major order. */
export interface Tensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}

export function tensor(data: Float32Array, shape: readonly number[]): Tensor {
  const expected = sizeOf(shape);
  if (data.length !== expected) {
    throw new ModelSealError(
      'INPUT_SHAPE',
      `tensor of shape [${shape.join(', ')}] needs ${expected} values, got ${data.length}`,
    );
  }
  return { data, shape: [...shape] };
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Throws a clear INPUT_SHAPE error unless `batch` is `[N, ...sampleShape]`. */
export function assertBatchShape(batch: Tensor, sampleShape: readonly number[], where: string): number {
  const actual = batch.shape;
  const ok =
    actual.length === sampleShape.length + 1 &&
    sampleShape.every((dim, i) => actual[i + 1] === dim) &&
    batch.data.length === sizeOf(actual);
  if (!ok) {
    throw new ModelSealError(
      'INPUT_SHAPE',
      `${where}: expected a batch of shape [N, ${sampleShape.join(', ')}], got ${formatShape(actual)}`,
    );
  }
  return actual[0] ?? 0;
}

/** Rows `indices` of a batch, as a new batch. */
export function gatherRows(batch: Tensor, indices: readonly number[]): Tensor {
  const rowSize = sizeOf(batch.shape.slice(1));
  const out = new Float32Array(indices.length * rowSize);
  indices.forEach((row, i) => {
    out.set(batch.data.subarray(row * rowSize, (row + 1) * rowSize), i * rowSize);
  });
  return { data: out, shape: [indices.length, ...batch.shape.slice(1)] };
}

/** Splits a batch into consecutive chunks of at most `maxRows` rows (views, no copies). */
export function chunkRows(batch: Tensor, maxRows: number): Tensor[] {
  const rows = batch.shape[0] ?? 0;
  const rowSize = sizeOf(batch.shape.slice(1));
  const chunks: Tensor[] = [];
  for (let start = 0; start < rows; start += maxRows) {
    const end = Math.min(rows, start + maxRows);
    chunks.push({
      data: batch.data.subarray(start * rowSize, end * rowSize),
      shape: [end - start, ...batch.shape.slice(1)],
    });
  }
  return chunks;
}

export function concatRows(parts: readonly Tensor[], rowShape: readonly number[]): Tensor {
  const rows = parts.reduce((sum, part) => sum + (part.shape[0] ?? 0), 0);
  const out = new Float32Array(rows * sizeOf(rowShape));
  let offset = 0;
  for (const part of parts) {
    out.set(part.data, offset);
    offset += part.data.length;
  }
  return { data: out, shape: [rows, ...rowShape] };
}

/** Index of the largest value in each row (first one on ties, like argmax in NumPy/PyTorch). */
export function argmaxRows(probabilities: Tensor): Int32Array {
  const [rows = 0, cols = 0] = probabilities.shape;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestValue = -Infinity;
    for (let c = 0; c < cols; c++) {
      const v = probabilities.data[r * cols + c]!;
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    out[r] = best;
  }
  return out;
}

/** Top-1 probability and top-1 minus top-2 probability of each row. */
export function topTwo(row: Float32Array | readonly number[]): { top1: number; top2: number; index: number } {
  let top1 = -Infinity;
  let top2 = -Infinity;
  let index = 0;
  for (let c = 0; c < row.length; c++) {
    const v = row[c]!;
    if (v > top1) {
      top2 = top1;
      top1 = v;
      index = c;
    } else if (v > top2) {
      top2 = v;
    }
  }
  return { top1, top2, index };
}

export function row(t: Tensor, r: number): Float32Array {
  const size = sizeOf(t.shape.slice(1));
  return t.data.subarray(r * size, (r + 1) * size);
}
