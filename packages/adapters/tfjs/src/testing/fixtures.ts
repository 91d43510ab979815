import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend.ts';
import { fileSaveHandler } from '../io/saveHandler.ts';

/**
 * Tiny models for tests, built offline. Activations are smooth (tanh) so that the
 * conformance suite's finite differences never straddle a ReLU kink; the max-pool
 * is there because TF.js' wasm backend once got its gradient wrong.
 */
export function buildTinyLayersModel(options: { softmax?: boolean; seed?: number; classes?: number } = {}): tf.LayersModel {
  const seed = options.seed ?? 1;
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [6, 6, 1],
        filters: 3,
        kernelSize: 3,
        activation: 'tanh',
        kernelInitializer: tf.initializers.glorotNormal({ seed }),
        biasInitializer: tf.initializers.randomNormal({ seed: seed + 1, stddev: 0.1 }),
      }),
      tf.layers.batchNormalization({
        movingMeanInitializer: tf.initializers.randomNormal({ seed: seed + 2, stddev: 0.1 }),
        movingVarianceInitializer: tf.initializers.randomUniform({ seed: seed + 3, minval: 0.5, maxval: 1.5 }),
      }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({
        units: options.classes ?? 4,
        activation: options.softmax ? 'softmax' : 'linear',
        kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 4 }),
        biasInitializer: tf.initializers.randomNormal({ seed: seed + 5, stddev: 0.1 }),
      }),
    ],
  });
}

export async function saveTinyLayersModel(folder: string, options: Parameters<typeof buildTinyLayersModel>[0] = {}): Promise<string> {
  // Without a chosen backend TF.js would fall back to cpu for these tensors.
  await initBackend();
  const model = buildTinyLayersModel(options);
  await model.save(fileSaveHandler(folder));
  model.dispose();
  return folder;
}

const type = (name: string) => ({ type: name });
const dims = (...sizes: number[]) => ({ dim: sizes.map((size) => ({ size: String(size) })) });
const constant = (name: string, dtype: 'DT_FLOAT' | 'DT_INT32', shape: number[]) => ({
  name,
  op: 'Const',
  attr: { dtype: type(dtype), value: { tensor: { dtype, tensorShape: dims(...shape) } } },
});

function seededValues(count: number, seed: number, scale: number): Float32Array {
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = Math.sin(seed * 12.9898 + i * 78.233) * scale;
  return values;
}

export interface GraphFixtureOptions {
  /** End the graph in a Softmax op (behind an Identity, as converters leave it). */
  readonly softmax?: boolean;
  /** Declare the input as [-1, -1, -1, 1] instead of [-1, 6, 6, 1]. */
  readonly unknownSpatialDims?: boolean;
  /** Use an op TF.js cannot differentiate (Einsum) instead of MatMul. */
  readonly nonDifferentiable?: boolean;
}

/**
 * Writes a hand-made TF.js GraphModel (the format tensorflowjs_converter emits):
 * Conv2D → Tanh → Reshape → MatMul → BiasAdd (→ Softmax) for 6×6×1 inputs and 3 classes.
 */
export async function writeTinyGraphModel(folder: string, options: GraphFixtureOptions = {}): Promise<string> {
  const spatial = options.unknownSpatialDims ? [-1, -1] : [6, 6];
  const dense = options.nonDifferentiable
    ? { name: 'dense/MatMul', op: 'Einsum', input: ['flat', 'dense/kernel'], attr: { T: type('DT_FLOAT'), N: { i: '2' }, equation: { s: btoa('ab,bc->ac') } } }
    : {
        name: 'dense/MatMul',
        op: 'MatMul',
        input: ['flat', 'dense/kernel'],
        attr: { T: type('DT_FLOAT'), transpose_a: { b: false }, transpose_b: { b: false } },
      };
  const nodes: object[] = [
    { name: 'input', op: 'Placeholder', attr: { dtype: type('DT_FLOAT'), shape: { shape: dims(-1, ...spatial, 1) } } },
    constant('conv/kernel', 'DT_FLOAT', [3, 3, 1, 2]),
    constant('flat/shape', 'DT_INT32', [2]),
    constant('dense/kernel', 'DT_FLOAT', [32, 3]),
    constant('dense/bias', 'DT_FLOAT', [3]),
    {
      name: 'conv/Conv2D',
      op: 'Conv2D',
      input: ['input', 'conv/kernel'],
      attr: {
        T: type('DT_FLOAT'),
        strides: { list: { i: ['1', '1', '1', '1'] } },
        dilations: { list: { i: ['1', '1', '1', '1'] } },
        padding: { s: btoa('VALID') },
        data_format: { s: btoa('NHWC') },
      },
    },
    { name: 'conv/Tanh', op: 'Tanh', input: ['conv/Conv2D'], attr: { T: type('DT_FLOAT') } },
    { name: 'flat', op: 'Reshape', input: ['conv/Tanh', 'flat/shape'], attr: { T: type('DT_FLOAT'), Tshape: type('DT_INT32') } },
    dense,
    { name: 'dense/BiasAdd', op: 'BiasAdd', input: ['dense/MatMul', 'dense/bias'], attr: { T: type('DT_FLOAT'), data_format: { s: btoa('NHWC') } } },
  ];
  let last = 'dense/BiasAdd';
  if (options.softmax) {
    nodes.push({ name: 'dense/Softmax', op: 'Softmax', input: [last], attr: { T: type('DT_FLOAT') } });
    last = 'dense/Softmax';
  }
  nodes.push({ name: 'Identity', op: 'Identity', input: [last], attr: { T: type('DT_FLOAT') } });

  const weights = [
    { name: 'conv/kernel', shape: [3, 3, 1, 2], dtype: 'float32' as const },
    { name: 'flat/shape', shape: [2], dtype: 'int32' as const },
    { name: 'dense/kernel', shape: [32, 3], dtype: 'float32' as const },
    { name: 'dense/bias', shape: [3], dtype: 'float32' as const },
  ];
  const data = [seededValues(18, 1, 0.6), Int32Array.from([-1, 32]), seededValues(96, 2, 0.4), seededValues(3, 3, 0.1)];
  const modelJson = {
    format: 'graph-model',
    generatedBy: 'hand-written test fixture',
    convertedBy: null,
    modelTopology: { node: nodes, library: {}, versions: { producer: 1 } },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights }],
  };
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, 'model.json'), JSON.stringify(modelJson));
  await writeFile(path.join(folder, 'group1-shard1of1.bin'), Buffer.concat(data.map((array) => Buffer.from(array.buffer))));
  return folder;
}
