/**
 * A dependency-free safetensors codec (https://huggingface.co/docs/safetensors).
 *
 * Layout: u64 little-endian header length N, N bytes of UTF-8 JSON header
 * (padded with spaces), then the data buffer. The header maps each tensor name
 * to `{dtype, shape, data_offsets: [begin, end]}` (offsets relative to the
 * buffer) plus an optional `"__metadata__": {string: string}`.
 *
 * The writer is deterministic so that a checksum over its output is stable; the
 * reader is strict because trigger sets are security artefacts and a lenient
 * reader would let a damaged or edited file through.
 */
import { ModelSealError } from '../errors.ts';

/** dtypes this codec reads. F16 is decoded to float32; I64 is decoded to BigInt64Array. */
export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'I64' | 'I32' | 'U8';
/** dtypes this codec writes. */
export type WritableSafetensorsDtype = Exclude<SafetensorsDtype, 'F16'>;

export type SafetensorsArray = Float64Array | Float32Array | BigInt64Array | Int32Array | Uint8Array;

/** A tensor to write; `data` must be the typed array that matches `dtype`. */
export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: WritableSafetensorsDtype;
  readonly shape: readonly number[];
  readonly data: SafetensorsArray;
}

/** A tensor read from a file. `data` is an aligned copy, never a view into the file. */
export interface SafetensorsTensor {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly data: SafetensorsArray;
}

export interface SafetensorsFile {
  /** In file order (by data offset). */
  readonly tensors: ReadonlyMap<string, SafetensorsTensor>;
  /** `undefined` when the header has no `__metadata__` entry. */
  readonly metadata: Readonly<Record<string, string>> | undefined;
}

export interface DecodeSafetensorsOptions {
  /** Largest header accepted, in bytes; guards against a forged length allocating gigabytes. */
  readonly maxHeaderBytes?: number;
}

export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024 * 1024;
export const METADATA_KEY = '__metadata__';

const DTYPE_BYTES: Readonly<Record<SafetensorsDtype, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  I64: 8,
  I32: 4,
  U8: 1,
};

// Valid safetensors dtypes that this codec does not decode: a clearer error than "unknown".
const KNOWN_UNSUPPORTED_DTYPES = new Set([
  'BOOL',
  'I8',
  'I16',
  'U16',
  'U32',
  'U64',
  'BF16',
  'F8_E4M3',
  'F8_E5M2',
]);

const TENSOR_INFO_KEYS = new Set(['dtype', 'shape', 'data_offsets']);
const SPACE = 0x20;
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// ---------------------------------------------------------------------------
// Writing

/**
 * Encodes tensors (in the order given) and string metadata (keys sorted) into a
 * safetensors file. Same input → same bytes.
 */
export function encodeSafetensors(
  entries: readonly SafetensorsEntry[],
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const names = new Set<string>();
  const headerParts: string[] = [];
  if (metadata !== undefined) headerParts.push(`${JSON.stringify(METADATA_KEY)}:${metadataJson(metadata)}`);

  let offset = 0;
  for (const entry of entries) {
    validateEntry(entry, names);
    names.add(entry.name);
    const byteLength = entry.data.byteLength;
    // Built by hand because JSON.stringify reorders integer-like keys ("0", "1") first.
    const info = { dtype: entry.dtype, shape: [...entry.shape], data_offsets: [offset, offset + byteLength] };
    headerParts.push(`${JSON.stringify(entry.name)}:${JSON.stringify(info)}`);
    offset += byteLength;
  }

  const json = new TextEncoder().encode(`{${headerParts.join(',')}}`);
  // Padding the header to a multiple of 8 keeps the data buffer 8-byte aligned in the file.
  const headerLength = json.length + ((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(SPACE, 8 + json.length, 8 + headerLength);

  let cursor = 8 + headerLength;
  for (const entry of entries) {
    out.set(littleEndianBytes(entry.data), cursor);
    cursor += entry.data.byteLength;
  }
  return out;
}

function metadataJson(metadata: Readonly<Record<string, string>>): string {
  const keys = Object.keys(metadata).sort();
  const parts = keys.map((key) => {
    const value = metadata[key];
    if (typeof value !== 'string') {
      throw new ModelSealError(
        'INVALID_ARGUMENT',
        `safetensors metadata "${key}" must be a string, got ${describeValue(value)}`,
      );
    }
    return `${JSON.stringify(key)}:${JSON.stringify(value)}`;
  });
  return `{${parts.join(',')}}`;
}

function validateEntry(entry: SafetensorsEntry, seen: ReadonlySet<string>): void {
  const where = `safetensors tensor "${entry.name}"`;
  if (entry.name === METADATA_KEY) {
    throw new ModelSealError('INVALID_ARGUMENT', `"${METADATA_KEY}" is reserved and cannot name a tensor`);
  }
  if (seen.has(entry.name)) {
    throw new ModelSealError('INVALID_ARGUMENT', `${where} is given twice`);
  }
  if (!entry.shape.every((dim) => Number.isSafeInteger(dim) && dim >= 0)) {
    throw new ModelSealError(
      'INVALID_ARGUMENT',
      `${where}: shape [${entry.shape.join(', ')}] must contain non-negative integers`,
    );
  }
  if (!matchesDtype(entry.data, entry.dtype)) {
    throw new ModelSealError(
      'INVALID_ARGUMENT',
      `${where}: dtype ${entry.dtype} needs a ${arrayTypeName(entry.dtype)}, got ${entry.data.constructor.name}`,
    );
  }
  const expected = product(entry.shape);
  if (entry.data.length !== expected) {
    throw new ModelSealError(
      'INVALID_ARGUMENT',
      `${where}: shape [${entry.shape.join(', ')}] needs ${expected} values, got ${entry.data.length}`,
    );
  }
}

function matchesDtype(data: SafetensorsArray, dtype: WritableSafetensorsDtype): boolean {
  switch (dtype) {
    case 'F64':
      return data instanceof Float64Array;
    case 'F32':
      return data instanceof Float32Array;
    case 'I64':
      return data instanceof BigInt64Array;
    case 'I32':
      return data instanceof Int32Array;
    case 'U8':
      return data instanceof Uint8Array;
  }
}

function arrayTypeName(dtype: WritableSafetensorsDtype): string {
  return { F64: 'Float64Array', F32: 'Float32Array', I64: 'BigInt64Array', I32: 'Int32Array', U8: 'Uint8Array' }[
    dtype
  ];
}

function littleEndianBytes(data: SafetensorsArray): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return HOST_IS_LITTLE_ENDIAN ? bytes : swapBytes(new Uint8Array(bytes), data.BYTES_PER_ELEMENT);
}

// ---------------------------------------------------------------------------
// Reading

interface TensorInfo {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

/** Parses and validates a safetensors file; every structural problem throws CORRUPT_FILE. */
export function decodeSafetensors(bytes: Uint8Array, options: DecodeSafetensorsOptions = {}): SafetensorsFile {
  const maxHeaderBytes = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  if (bytes.length < 8) {
    throw corrupt(`file is ${bytes.length} bytes, shorter than the 8-byte header length field`);
  }
  const declared = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (declared > BigInt(maxHeaderBytes)) {
    throw corrupt(`header length ${declared} (bytes 0-7) exceeds the limit of ${maxHeaderBytes} bytes`);
  }
  const headerLength = Number(declared);
  if (8 + headerLength > bytes.length) {
    throw corrupt(
      `header length ${headerLength} (bytes 0-7) runs past the end of the file (${bytes.length} bytes)`,
    );
  }

  const header = parseHeader(bytes.subarray(8, 8 + headerLength));
  const bufferStart = 8 + headerLength;
  const buffer = bytes.subarray(bufferStart);

  let metadata: Record<string, string> | undefined;
  const infos: TensorInfo[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === METADATA_KEY) metadata = parseMetadata(value);
    else infos.push(parseTensorInfo(name, value));
  }

  checkContiguous(infos, buffer.length, bufferStart);

  const tensors = new Map<string, SafetensorsTensor>();
  for (const info of infos) {
    tensors.set(info.name, {
      name: info.name,
      dtype: info.dtype,
      shape: info.shape,
      data: decodeData(info.dtype, buffer.subarray(info.begin, info.end)),
    });
  }
  return { tensors, metadata };
}

function parseHeader(headerBytes: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(headerBytes);
  } catch (error) {
    throw corrupt(`header (bytes 8-${8 + headerBytes.length - 1}) is not valid UTF-8`, error);
  }
  // The spec allows only trailing spaces as padding; enforcing it means no byte of
  // the header can change without changing what it says.
  if (!text.startsWith('{')) {
    throw corrupt(`header must start with "{" (byte 8 is ${describeByte(headerBytes[0])})`);
  }
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === SPACE) end--;
  if (text[end - 1] !== '}') {
    throw corrupt('header must be a JSON object followed only by space (0x20) padding');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw corrupt(`header is not valid JSON: ${(error as Error).message}`, error);
  }
  if (!isPlainObject(parsed)) {
    throw corrupt('header must be a JSON object');
  }
  return parsed;
}

function parseMetadata(value: unknown): Record<string, string> {
  if (!isPlainObject(value)) {
    throw corrupt(`"${METADATA_KEY}" must be an object of strings, got ${describeValue(value)}`);
  }
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') {
      throw corrupt(`"${METADATA_KEY}"."${key}" must be a string, got ${describeValue(item)}`);
    }
  }
  // fromEntries defines own properties, so a "__proto__" key cannot touch the prototype.
  return Object.fromEntries(Object.entries(value)) as Record<string, string>;
}

function parseTensorInfo(name: string, value: unknown): TensorInfo {
  const where = `tensor "${name}"`;
  if (!isPlainObject(value)) {
    throw corrupt(`${where}: header entry must be an object, got ${describeValue(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!TENSOR_INFO_KEYS.has(key)) throw corrupt(`${where}: unexpected key "${key}" in header entry`);
  }
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== 'string') {
    throw corrupt(`${where}: dtype must be a string, got ${describeValue(dtype)}`);
  }
  if (!isSupportedDtype(dtype)) {
    if (KNOWN_UNSUPPORTED_DTYPES.has(dtype)) {
      throw new ModelSealError('UNSUPPORTED', `${where}: dtype ${dtype} is not supported by this reader`);
    }
    throw corrupt(`${where}: unknown dtype ${JSON.stringify(dtype)}`);
  }
  if (!Array.isArray(shape) || !shape.every(isNonNegativeSafeInteger)) {
    throw corrupt(`${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeSafeInteger)) {
    throw corrupt(
      `${where}: data_offsets must be [begin, end] non-negative integers, got ${JSON.stringify(offsets)}`,
    );
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) {
    throw corrupt(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
  }
  const count = product(shape as number[]);
  const expectedBytes = count * DTYPE_BYTES[dtype];
  if (!Number.isSafeInteger(expectedBytes) || expectedBytes !== end - begin) {
    throw corrupt(
      `${where}: ${dtype} shape [${shape.join(', ')}] needs ${expectedBytes} bytes but data_offsets ` +
        `[${begin}, ${end}] span ${end - begin}`,
    );
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

function checkContiguous(infos: TensorInfo[], bufferLength: number, bufferStart: number): void {
  infos.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const info of infos) {
    if (info.begin !== expected) {
      const problem = info.begin < expected ? 'overlaps the previous tensor' : 'leaves a gap after the previous tensor';
      throw corrupt(
        `tensor "${info.name}": data begins at buffer offset ${info.begin} (file byte ${bufferStart + info.begin}) ` +
          `but ${expected} was expected; it ${problem}`,
      );
    }
    expected = info.end;
  }
  if (expected !== bufferLength) {
    throw corrupt(
      `tensors cover ${expected} bytes of data but the data buffer (from file byte ${bufferStart}) is ` +
        `${bufferLength} bytes`,
    );
  }
}

function decodeData(dtype: SafetensorsDtype, raw: Uint8Array): SafetensorsArray {
  // A fresh, zero-offset copy keeps the typed array aligned. Not raw.slice(): on a
  // Node Buffer that returns a view into the (pooled) source.
  const copy = new Uint8Array(raw);
  const bytes = HOST_IS_LITTLE_ENDIAN ? copy : swapBytes(copy, DTYPE_BYTES[dtype]);
  switch (dtype) {
    case 'F64':
      return new Float64Array(bytes.buffer);
    case 'F32':
      return new Float32Array(bytes.buffer);
    case 'F16':
      return halfToFloat32(new Uint16Array(bytes.buffer));
    case 'I64':
      return new BigInt64Array(bytes.buffer);
    case 'I32':
      return new Int32Array(bytes.buffer);
    case 'U8':
      return bytes;
  }
}

/** IEEE 754 binary16 → float32, including subnormals, infinities and NaN. */
export function halfToFloat32(halves: Uint16Array): Float32Array {
  const out = new Float32Array(halves.length);
  for (let i = 0; i < halves.length; i++) {
    const h = halves[i]!;
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    if (exponent === 0) out[i] = sign * fraction * 2 ** -24;
    else if (exponent === 0x1f) out[i] = fraction === 0 ? sign * Infinity : NaN;
    else out[i] = sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Helpers

function swapBytes(bytes: Uint8Array, width: number): Uint8Array {
  if (width > 1) {
    for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
  }
  return bytes;
}

function product(shape: readonly number[]): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}

function isSupportedDtype(dtype: string): dtype is SafetensorsDtype {
  return Object.hasOwn(DTYPE_BYTES, dtype);
}

function isNonNegativeSafeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function describeByte(byte: number | undefined): string {
  return byte === undefined ? 'missing' : `0x${byte.toString(16).padStart(2, '0')}`;
}

function corrupt(message: string, cause?: unknown): ModelSealError {
  return new ModelSealError('CORRUPT_FILE', `safetensors: ${message}`, cause === undefined ? undefined : { cause });
}
