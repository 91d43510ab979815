import { describe, expect, it } from 'vitest';
import { isModelSealError } from '@modelseal/core';
import { readFloat32 } from './graph/tensors.ts';
import { syntheticModel } from './testing/synthetic.ts';
import { InitializerStore } from './weights.ts';

function model() {
  return syntheticModel({
    nodes: [
      { op: 'Conv', inputs: ['x', 'conv.w', 'conv.b'], outputs: ['c'], attributes: { kernel_shape: [1, 1] } },
      { op: 'BatchNormalization', inputs: ['c', 'bn.scale', 'bn.bias', 'bn.mean', 'bn.var'], outputs: ['n'] },
      { op: 'Mul', inputs: ['n', 'half'], outputs: ['h'] },
      { op: 'Flatten', inputs: ['h'], outputs: ['f'] },
      { op: 'MatMul', inputs: ['f', 'fc.w'], outputs: ['m'] },
      { op: 'Add', inputs: ['m', 'fc.b'], outputs: ['y'] },
    ],
    weights: {
      'conv.w': [[2, 1, 1, 1], [1, 2]],
      'conv.b': [[2], [0, 0]],
      'bn.scale': [[2], [1, 1]],
      'bn.bias': [[2], [0, 0]],
      'bn.mean': [[2], [0, 0]],
      'bn.var': [[2], [1, 1]],
      half: [[], [0.5]],
      'fc.w': [[8, 3], new Array<number>(24).fill(0.1)],
      'fc.b': [[3], [1, 2, 3]],
    },
    int64Weights: { unused: [1] },
    input: { name: 'x', dims: ['N', 1, 2, 2] },
    output: 'y',
  });
}

describe('initializer store', () => {
  it('lists float32 initializers, marking parameters trainable and statistics or constants not', () => {
    const infos = new InitializerStore(model()).list();
    const trainable = Object.fromEntries(infos.map((w) => [w.name, w.trainable]));
    expect(trainable).toEqual({
      'conv.w': true,
      'conv.b': true,
      'bn.scale': true,
      'bn.bias': true,
      'bn.mean': false,
      'bn.var': false,
      half: false,
      'fc.w': true,
      'fc.b': true,
    });
    expect(infos.find((w) => w.name === 'fc.w')!.shape).toEqual([8, 3]);
  });

  it('replaces tensors instead of mutating them, and bumps its version', () => {
    const m = model();
    const before = m.graph!.initializer!.find((t) => t.name === 'fc.b')!;
    const store = new InitializerStore(m);
    store.write('fc.b', Float32Array.from([7, 8, 9]));
    expect(store.version).toBe(1);
    expect(store.read('fc.b')).toEqual(Float32Array.from([7, 8, 9]));
    expect(readFloat32(before)).toEqual(Float32Array.from([1, 2, 3]));
    expect(readFloat32(m.graph!.initializer!.find((t) => t.name === 'fc.b')!)).toEqual(Float32Array.from([7, 8, 9]));
    // Reads are copies.
    store.read('fc.b')[0] = 100;
    expect(store.read('fc.b')[0]).toBe(7);
  });

  it('rejects unknown and integer initializers', () => {
    const store = new InitializerStore(model());
    for (const name of ['nope', 'unused']) {
      let error: unknown;
      try {
        store.read(name);
      } catch (e) {
        error = e;
      }
      expect(isModelSealError(error) && error.code).toBe('INVALID_ARGUMENT');
    }
  });
});
