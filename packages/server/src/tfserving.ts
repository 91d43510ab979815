/**
 * TensorFlow Serving REST API documents:
 * https://www.tensorflow.org/tfx/serving/api_rest
 */
import { sizeOf, type Tensor } from '@modelseal/core';
import { HttpError } from './http-error.ts';
import { describeJson, readNested } from './nested.ts';
import { INPUT_NAME, OUTPUT_NAME } from './oip.ts';
import type { ServedModel } from './served-model.ts';

export type TfRequestFormat = 'row' | 'columnar';

export interface TfPredictRequest {
  readonly format: TfRequestFormat;
  readonly batch: Tensor;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Unwraps `{input: x}` (named-input form); any single key is accepted since the model has one input. */
function unwrapNamed(value: unknown, where: string): unknown {
  if (!isRecord(value)) return value;
  const keys = Object.keys(value);
  if (keys.length !== 1) {
    throw new HttpError(400, `${where} names ${keys.length} inputs; the model has one input, '${INPUT_NAME}'`);
  }
  return value[keys[0]!];
}

/** Accepts a sample nested as the model's input shape or as a flat vector of the same size. */
function checkSampleShape(shape: readonly number[], model: ServedModel, where: string): void {
  const expected = model.description.inputShape;
  const same = shape.length === expected.length && shape.every((d, i) => d === expected[i]);
  const flat = shape.length === 1 && shape[0] === sizeOf(expected);
  if (!same && !flat) {
    throw new HttpError(
      400,
      `${where} has shape [${shape.join(', ')}] but model '${model.name}' expects samples of shape [${expected.join(', ')}]`,
    );
  }
}

export function parsePredictRequest(body: unknown, model: ServedModel): TfPredictRequest {
  if (!isRecord(body)) throw new HttpError(400, `predict request must be a JSON object, got ${describeJson(body)}`);
  const sampleSize = sizeOf(model.description.inputShape);
  if (body.instances !== undefined) {
    if (!Array.isArray(body.instances)) {
      throw new HttpError(400, `"instances" must be an array, got ${describeJson(body.instances)}`);
    }
    const data = new Float32Array(body.instances.length * sampleSize);
    body.instances.forEach((instance: unknown, i: number) => {
      const where = `instances[${i}]`;
      const sample = readNested(unwrapNamed(instance, where), where);
      checkSampleShape(sample.shape, model, where);
      data.set(sample.values, i * sampleSize);
    });
    return { format: 'row', batch: { data, shape: [body.instances.length, ...model.description.inputShape] } };
  }
  if (body.inputs !== undefined) {
    const batch = readNested(unwrapNamed(body.inputs, '"inputs"'), '"inputs"');
    const [rows = 0, ...sample] = batch.shape;
    checkSampleShape(sample, model, '"inputs" (after the batch dimension)');
    return { format: 'columnar', batch: { data: batch.values, shape: [rows, ...model.description.inputShape] } };
  }
  throw new HttpError(400, 'predict request needs "instances" (row format) or "inputs" (columnar format)');
}

function rows(probabilities: Tensor): number[][] {
  const [count = 0, classes = 0] = probabilities.shape;
  const out: number[][] = [];
  for (let r = 0; r < count; r++) out.push(Array.from(probabilities.data.subarray(r * classes, (r + 1) * classes)));
  return out;
}

/** TF Serving answers row requests with `predictions` and columnar requests with `outputs`. */
export function predictResponse(format: TfRequestFormat, probabilities: Tensor): unknown {
  return format === 'row' ? { predictions: rows(probabilities) } : { outputs: rows(probabilities) };
}

export function modelStatus(model: ServedModel): unknown {
  return {
    model_version_status: [{ version: model.version, state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }],
  };
}

function tensorInfo(name: string, shape: readonly number[]): unknown {
  return { dtype: 'DT_FLOAT', tensor_shape: { dim: shape.map((size) => ({ size: String(size), name: '' })), unknown_rank: false }, name };
}

export function modelMetadata(model: ServedModel): unknown {
  return {
    model_spec: { name: model.name, signature_name: '', version: model.version },
    metadata: {
      signature_def: {
        signature_def: {
          serving_default: {
            inputs: { [INPUT_NAME]: tensorInfo(INPUT_NAME, [-1, ...model.description.inputShape]) },
            outputs: { [OUTPUT_NAME]: tensorInfo(OUTPUT_NAME, [-1, model.description.numClasses]) },
            method_name: 'tensorflow/serving/predict',
          },
        },
      },
    },
  };
}
