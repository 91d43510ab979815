import { ModelSealError } from '@modelseal/core';
import { readMaybeGzip } from './readData.ts';
import type { ImageSet } from './types.ts';

export type IdxDataType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

export interface IdxArray {
  readonly type: IdxDataType;
  readonly dims: readonly number[];
  /** Native-endian values, converted from the file's big-endian encoding. */
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: ReadonlyMap<number, { type: IdxDataType; bytes: number }> = new Map([
  [0x08, { type: 'uint8', bytes: 1 }],
  [0x09, { type: 'int8', bytes: 1 }],
  [0x0b, { type: 'int16', bytes: 2 }],
  [0x0c, { type: 'int32', bytes: 4 }],
  [0x0d, { type: 'float32', bytes: 4 }],
  [0x0e, { type: 'float64', bytes: 8 }],
]);

function fail(file: string, message: string): never {
  throw new ModelSealError('DATASET', `${file}: ${message}`);
}

/** Parses an uncompressed IDX file; `file` only names it in errors. */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length < 4) fail(file, `not an IDX file: only ${bytes.length} bytes`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    fail(file, `not an IDX file: the first two bytes must be 00 00, got ${hex(bytes[0]!)} ${hex(bytes[1]!)}`);
  }
  const typeCode = bytes[2]!;
  const kind = TYPES.get(typeCode);
  if (kind === undefined) {
    fail(file, `unknown IDX data type ${hex(typeCode)} (expected 08, 09, 0B, 0C, 0D or 0E)`);
  }
  const rank = bytes[3]!;
  if (rank === 0) fail(file, 'IDX header declares 0 dimensions');
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) fail(file, `truncated IDX header: ${rank} dimensions need ${headerLength} bytes, file has ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((product, dim) => product * dim, 1);
  const expected = count * kind.bytes;
  const actual = bytes.length - headerLength;
  if (actual !== expected) {
    const problem = actual < expected ? 'truncated' : 'has trailing bytes';
    fail(file, `${problem}: dimensions [${dims.join(', ')}] of ${kind.type} need ${expected} data bytes, file has ${actual}`);
  }
  return { type: kind.type, dims, data: decodeValues(view, headerLength, count, kind.type) };
}

function decodeValues(view: DataView, offset: number, count: number, type: IdxDataType): IdxArray['data'] {
  switch (type) {
    case 'uint8':
      return new Uint8Array(view.buffer, view.byteOffset + offset, count).slice();
    case 'int8':
      return new Int8Array(view.buffer, view.byteOffset + offset, count).slice();
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}

/** Reads an IDX file, gzip-compressed or not. */
export async function readIdxFile(path: string): Promise<IdxArray> {
  return parseIdx(await readMaybeGzip(path), path);
}

/**
 * Images may be `[N, H, W]` (grayscale) or `[N, H, W, C]` with C = 1 or 3. Bytes are
 * scaled by 1/255; float files must already hold values in [0, 1]. Signed integer
 * images have no agreed scale, so they are rejected rather than guessed at.
 */
export function idxToImageSet(images: IdxArray, labels: IdxArray, imagesFile: string, labelsFile: string): ImageSet {
  const [count, height, width, channels = 1] = images.dims;
  if ((images.dims.length !== 3 && images.dims.length !== 4) || count === undefined || height === undefined || width === undefined) {
    fail(imagesFile, `images must have 3 dimensions [N, H, W] or 4 [N, H, W, C], got [${images.dims.join(', ')}]`);
  }
  if (channels !== 1 && channels !== 3) fail(imagesFile, `images must have 1 or 3 channels, got ${channels}`);
  if (labels.dims.length !== 1 && !(labels.dims.length === 2 && labels.dims[1] === 1)) {
    fail(labelsFile, `labels must have 1 dimension [N], got [${labels.dims.join(', ')}]`);
  }
  if (labels.type === 'float32' || labels.type === 'float64') fail(labelsFile, `labels must be integers, got ${labels.type}`);
  const labelCount = labels.dims[0]!;
  if (labelCount !== count) {
    fail(labelsFile, `holds ${labelCount} labels but ${imagesFile} holds ${count} images`);
  }
  const labelValues = Int32Array.from(labels.data);
  const negative = labelValues.findIndex((label) => label < 0);
  if (negative >= 0) fail(labelsFile, `label ${negative} is negative (${labelValues[negative]})`);

  let pixels: Float32Array;
  if (images.type === 'uint8') {
    pixels = new Float32Array(images.data.length);
    const data = images.data;
    for (let i = 0; i < data.length; i++) pixels[i] = data[i]! / 255;
  } else if (images.type === 'float32' || images.type === 'float64') {
    pixels = Float32Array.from(images.data);
    const outside = pixels.findIndex((value) => !(value >= 0 && value <= 1));
    if (outside >= 0) fail(imagesFile, `float pixel values must be in [0, 1], value ${outside} is ${pixels[outside]}`);
  } else {
    fail(imagesFile, `images must be unsigned bytes (type 08) or floats in [0, 1] (0D, 0E), got ${images.type}`);
  }
  return { height, width, channels, pixels, labels: labelValues, count };
}

/** Loads an images file and its labels file (each gzip-compressed or not) as one image set. */
export async function loadIdxPair(imagesPath: string, labelsPath: string): Promise<ImageSet> {
  const [images, labels] = await Promise.all([readIdxFile(imagesPath), readIdxFile(labelsPath)]);
  return idxToImageSet(images, labels, imagesPath, labelsPath);
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0').toUpperCase();
}
