/**
 * Open Inference Protocol v2 (KServe v2) REST documents:
 * https://github.com/kserve/open-inference-protocol/blob/main/specification/protocol/inference_rest.md
 */
import type { Tensor } from '@modelseal/core';
import { HttpError } from './http-error.ts';
import { describeJson, readNested } from './nested.ts';
import type { ServedModel } from './served-model.ts';

export const INPUT_NAME = 'input';
export const OUTPUT_NAME = 'probabilities';
export const PLATFORM = 'modelseal';

export interface TensorMetadata {
  readonly name: string;
  readonly datatype: 'FP32';
  readonly shape: number[];
}

export interface ModelMetadata {
  readonly name: string;
  readonly versions: string[];
  readonly platform: string;
  readonly inputs: TensorMetadata[];
  readonly outputs: TensorMetadata[];
}

export function modelMetadata(model: ServedModel): ModelMetadata {
  return {
    name: model.name,
    versions: [model.version],
    platform: PLATFORM,
    inputs: [{ name: INPUT_NAME, datatype: 'FP32', shape: [-1, ...model.description.inputShape] }],
    outputs: [{ name: OUTPUT_NAME, datatype: 'FP32', shape: [-1, model.description.numClasses] }],
  };
}

export interface InferRequest {
  readonly id?: string;
  readonly batch: Tensor;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readShape(value: unknown, where: string): number[] {
  if (!Array.isArray(value) || !value.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
    throw new HttpError(400, `${where} must be an array of non-negative integers, got ${describeJson(value)}`);
  }
  return value as number[];
}

/** Parses and validates an infer request body against the model it addresses. */
export function parseInferRequest(body: unknown, model: ServedModel): InferRequest {
  if (!isRecord(body)) throw new HttpError(400, `infer request must be a JSON object, got ${describeJson(body)}`);
  const { inputs, outputs, id } = body;
  if (id !== undefined && typeof id !== 'string') throw new HttpError(400, `"id" must be a string, got ${describeJson(id)}`);
  if (!Array.isArray(inputs) || inputs.length !== 1) {
    throw new HttpError(
      400,
      `"inputs" must be an array with exactly one tensor (model '${model.name}' has one input, '${INPUT_NAME}'), got ${describeJson(inputs)}`,
    );
  }
  const input: unknown = inputs[0];
  if (!isRecord(input)) throw new HttpError(400, `inputs[0] must be an object, got ${describeJson(input)}`);
  // A single-input model accepts any input name: clients often default to their own naming.
  const label = typeof input.name === 'string' ? `input '${input.name}'` : 'inputs[0]';
  if (input.datatype !== 'FP32') {
    throw new HttpError(400, `${label} has datatype ${JSON.stringify(input.datatype)}; this model accepts only "FP32"`);
  }
  const shape = readShape(input.shape, `${label} shape`);
  model.batchSize(shape, label);
  const data = readNested(input.data, `${label} data`);
  const expected = shape.reduce((a, b) => a * b, 1);
  if (data.values.length !== expected) {
    throw new HttpError(
      400,
      `${label} declares shape [${shape.join(', ')}] (${expected} values) but its data has ${data.values.length} values`,
    );
  }
  if (outputs !== undefined) {
    if (!Array.isArray(outputs)) throw new HttpError(400, `"outputs" must be an array, got ${describeJson(outputs)}`);
    for (const requested of outputs) {
      const name = isRecord(requested) ? requested.name : undefined;
      if (name !== OUTPUT_NAME) {
        throw new HttpError(400, `requested output ${JSON.stringify(name)} does not exist; the only output is '${OUTPUT_NAME}'`);
      }
    }
  }
  return { ...(id !== undefined ? { id } : {}), batch: { data: data.values, shape } };
}

export function inferResponse(model: ServedModel, request: InferRequest, probabilities: Tensor): unknown {
  return {
    model_name: model.name,
    model_version: model.version,
    ...(request.id !== undefined ? { id: request.id } : {}),
    outputs: [
      {
        name: OUTPUT_NAME,
        shape: [...probabilities.shape],
        datatype: 'FP32',
        // Each float32 widens exactly to a double, and JSON prints doubles with round-trip precision.
        data: Array.from(probabilities.data),
      },
    ],
  };
}
