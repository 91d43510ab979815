import { shallowCopy } from '../proto/codec.ts';
import { DataType, toNumber, type TensorProto } from '../proto/types.ts';

export function tensorDims(tensor: TensorProto): number[] {
  return (tensor.dims ?? []).map((d) => toNumber(d));
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

export function dataTypeName(code: number | undefined): string {
  const entry = Object.entries(DataType).find(([, value]) => value === code);
  return entry ? entry[0].toLowerCase() : `type ${String(code)}`;
}

/** Copies `bytes` into a fresh buffer: raw_data slices of the file are not 4- or 8-byte aligned. */
function aligned(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

/** Values of a FLOAT or DOUBLE tensor as float32 (double values are rounded). */
export function readFloat32(tensor: TensorProto): Float32Array {
  const count = elementCount(tensorDims(tensor));
  const raw = tensor.raw_data;
  let values: Float32Array;
  if (tensor.data_type === DataType.FLOAT) {
    values = raw && raw.byteLength > 0 ? new Float32Array(aligned(raw)) : Float32Array.from(tensor.float_data ?? []);
  } else if (tensor.data_type === DataType.DOUBLE) {
    values = Float32Array.from(raw && raw.byteLength > 0 ? new Float64Array(aligned(raw)) : (tensor.double_data ?? []));
  } else {
    throw new Error(`tensor "${tensor.name ?? ''}" is ${dataTypeName(tensor.data_type)}, not float`);
  }
  if (values.length !== count) {
    throw new Error(`tensor "${tensor.name ?? ''}" holds ${values.length} values for shape [${tensorDims(tensor).join(', ')}]`);
  }
  return values;
}

/** Values of an integer or float tensor as plain numbers (for shapes, axes and small constants). */
export function readNumbers(tensor: TensorProto): number[] {
  const raw = tensor.raw_data;
  const hasRaw = raw !== undefined && raw.byteLength > 0;
  switch (tensor.data_type) {
    case DataType.FLOAT:
    case DataType.DOUBLE:
      return Array.from(readFloat32(tensor));
    case DataType.INT64:
      return hasRaw
        ? Array.from(new BigInt64Array(aligned(raw)), (v) => Number(v))
        : (tensor.int64_data ?? []).map((v) => toNumber(v));
    case DataType.INT32:
      return hasRaw ? Array.from(new Int32Array(aligned(raw))) : [...(tensor.int32_data ?? [])];
    default:
      throw new Error(`tensor "${tensor.name ?? ''}" is ${dataTypeName(tensor.data_type)}: cannot read it as numbers`);
  }
}

function littleEndianBytes(view: ArrayBufferView): Uint8Array {
  // Typed arrays use the platform's byte order; ONNX raw_data is little-endian, like every platform Node runs on.
  return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}

export function floatTensor(name: string, dims: readonly number[], values: Float32Array | readonly number[]): TensorProto {
  const data = values instanceof Float32Array ? values : Float32Array.from(values);
  return { name, dims: [...dims], data_type: DataType.FLOAT, raw_data: littleEndianBytes(data) };
}

export function doubleTensor(name: string, dims: readonly number[], values: readonly number[] | Float64Array): TensorProto {
  return { name, dims: [...dims], data_type: DataType.DOUBLE, raw_data: littleEndianBytes(Float64Array.from(values)) };
}

export function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): TensorProto {
  return {
    name,
    dims: [...dims],
    data_type: DataType.INT64,
    raw_data: littleEndianBytes(BigInt64Array.from(values, (v) => BigInt(v))),
  };
}

/** A tensor of the given float type (FLOAT or DOUBLE): the gradient graph's constants follow the model's precision. */
export function realTensor(name: string, dims: readonly number[], values: readonly number[], dataType: number): TensorProto {
  return dataType === DataType.DOUBLE ? doubleTensor(name, dims, values) : floatTensor(name, dims, values);
}

/** A copy of a float tensor with new values, keeping its name, shape, type and every other field. */
export function withFloat32Values(tensor: TensorProto, values: Float32Array): TensorProto {
  const copy = shallowCopy(tensor);
  copy.raw_data = littleEndianBytes(tensor.data_type === DataType.DOUBLE ? Float64Array.from(values) : values.slice());
  copy.float_data = [];
  copy.double_data = [];
  return copy;
}
