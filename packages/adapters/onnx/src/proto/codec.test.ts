import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readFloat32, readNumbers, floatTensor, int64Tensor, withFloat32Values } from '../graph/tensors.ts';
import { fixturePath } from '../testing/fixtures.ts';
import { cloneModel, decodeModel, encodeModel } from './codec.ts';
import { DataType, toNumber } from './types.ts';

const bytes = readFileSync(fixturePath('cnn_mnist_probs.onnx'));

/** A length-delimited protobuf field, written by hand to stand for a field the schema does not know. */
function rawField(field: number, payload: Uint8Array): Uint8Array {
  const tag = (field << 3) | 2;
  const header = [];
  for (let v = tag; ; v >>>= 7) {
    if (v < 0x80) {
      header.push(v);
      break;
    }
    header.push((v & 0x7f) | 0x80);
  }
  return new Uint8Array([...header, payload.length, ...payload]);
}

describe('ONNX protobuf codec', () => {
  it('decodes a real exported model', () => {
    const model = decodeModel(bytes);
    expect(toNumber(model.ir_version)).toBe(8);
    expect(toNumber(model.opset_import![0]!.version)).toBe(17);
    expect(model.graph!.node!.map((n) => n.op_type)).toEqual([
      'Conv', 'Relu', 'MaxPool', 'Conv', 'Relu', 'MaxPool', 'Flatten', 'Gemm', 'Relu', 'Gemm', 'Softmax',
    ]);
    const weight = model.graph!.initializer!.find((t) => t.name === 'm.fc2.weight')!;
    expect(readFloat32(weight)).toHaveLength(1280);
  });

  it('round-trips a model without losing nodes, tensors or metadata', () => {
    const model = decodeModel(bytes);
    const again = decodeModel(encodeModel(model));
    expect(again.graph!.node!.length).toBe(model.graph!.node!.length);
    for (const [i, tensor] of model.graph!.initializer!.entries()) {
      expect(readFloat32(again.graph!.initializer![i]!)).toEqual(readFloat32(tensor));
    }
    expect(again.producer_name).toBe(model.producer_name);
    expect(JSON.stringify(again.graph!.input)).toBe(JSON.stringify(model.graph!.input));
  });

  it('keeps fields the schema does not list (functions, future fields) when saving', () => {
    // ModelProto field 25 holds local functions; the adapter's schema leaves it out on purpose.
    const unknown = rawField(25, new TextEncoder().encode('\n\x07my_func'));
    const withUnknown = new Uint8Array([...bytes, ...unknown]);
    const model = cloneModel(decodeModel(withUnknown));
    const encoded = encodeModel(model);
    const tail = encoded.subarray(encoded.length - unknown.length);
    expect([...tail]).toEqual([...unknown]);
  });

  it('reads and writes tensors in raw and typed-field form', () => {
    expect(readFloat32({ name: 'a', dims: [2], data_type: DataType.FLOAT, float_data: [1.5, -2] })).toEqual(Float32Array.from([1.5, -2]));
    expect(readFloat32(floatTensor('b', [3], [1, 2, 3]))).toEqual(Float32Array.from([1, 2, 3]));
    expect(readNumbers(int64Tensor('c', [2], [-1, 3136]))).toEqual([-1, 3136]);
    const original = { name: 'd', dims: [2], data_type: DataType.FLOAT, float_data: [1, 2], doc_string: 'kept' };
    const replaced = withFloat32Values(original, Float32Array.from([5, 6]));
    expect(readFloat32(replaced)).toEqual(Float32Array.from([5, 6]));
    expect(replaced.doc_string).toBe('kept');
    expect(original.float_data).toEqual([1, 2]);
    expect(() => readFloat32({ name: 'e', dims: [3], data_type: DataType.FLOAT, float_data: [1] })).toThrow(/holds 1 values/);
  });
});
