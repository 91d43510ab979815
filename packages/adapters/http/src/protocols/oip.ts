/**
 * Open Inference Protocol v2 (KServe v2, Triton, MLServer, our own server):
 * https://github.com/kserve/open-inference-protocol/blob/main/specification/protocol/inference_rest.md
 */
import { ModelSealError } from '@modelseal/core';
import { parseJsonAnswer, statusError } from '../client.ts';
import { ERROR_CODES } from '../codes.ts';
import type { HttpAdapterConfig } from '../config.ts';
import { modelPath } from '../model-url.ts';
import { readNumbers } from '../values.ts';
import {
  isRecord,
  pickNamed,
  resolveInputShape,
  resolveNumClasses,
  shapeMismatch,
  type ConnectProtocol,
  type ProtocolSession,
} from './session.ts';

interface TensorMetadata {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
}

/** Float types carry float32 values exactly; FP16 would round a fragile sample off its boundary. */
const EXACT_INPUT_TYPES = new Set(['FP32', 'FP64']);
const SCORE_TYPES = new Set(['FP16', 'FP32', 'FP64', 'BF16']);

function readTensors(value: unknown, field: string, where: string): TensorMetadata[] {
  if (!Array.isArray(value)) {
    throw new ModelSealError(ERROR_CODES.load, `${where}: model metadata has no "${field}" array`);
  }
  return value.map((entry, i) => {
    const ok =
      isRecord(entry) &&
      typeof entry.name === 'string' &&
      typeof entry.datatype === 'string' &&
      Array.isArray(entry.shape) &&
      entry.shape.every((d) => Number.isInteger(d));
    if (!ok) {
      throw new ModelSealError(ERROR_CODES.load, `${where}: model metadata ${field}[${i}] needs a name, a datatype and an integer shape`);
    }
    return { name: entry.name as string, datatype: entry.datatype as string, shape: entry.shape as number[] };
  });
}

export const connectOip: ConnectProtocol = async (client, config: HttpAdapterConfig, signal) => {
  const target = client.target;
  const ready = await client.send({ method: 'GET', path: '/v2/health/ready', ...(signal ? { signal } : {}) });
  if (ready.status < 200 || ready.status >= 300) {
    throw new ModelSealError(ERROR_CODES.load, `the model server at ${target.base} is not ready: ${statusError(ready).message}`);
  }
  const path = modelPath(target);
  const answer = await client.send({ method: 'GET', path, ...(signal ? { signal } : {}) });
  const metadata = parseJsonAnswer(answer);
  const where = `model metadata from ${answer.where.replace(/^GET /, '')}`;
  if (!isRecord(metadata)) throw new ModelSealError(ERROR_CODES.load, `${where} is not a JSON object`);

  const input = pickNamed(readTensors(metadata.inputs, 'inputs', where), config.inputName, 'input', 'inputName', where);
  const output = pickNamed(readTensors(metadata.outputs, 'outputs', where), config.outputName, 'output', 'outputName', where);
  if (!EXACT_INPUT_TYPES.has(input.datatype)) {
    throw new ModelSealError(
      ERROR_CODES.unsupported,
      `${where}: input '${input.name}' has datatype ${input.datatype}; only FP32 or FP64 inputs carry trigger samples exactly`,
    );
  }
  if (!SCORE_TYPES.has(output.datatype)) {
    throw new ModelSealError(
      ERROR_CODES.unsupported,
      `${where}: output '${output.name}' has datatype ${output.datatype}; the adapter needs floating-point class scores (probabilities or logits), not labels`,
    );
  }
  const [batchDim, ...sampleDims] = input.shape;
  const { inputShape, wireShape } = resolveInputShape(
    input.shape.length > 1 ? sampleDims : undefined,
    config.inputShape,
    where,
  );
  const numClasses = resolveNumClasses(output.shape.length > 1 ? output.shape[output.shape.length - 1] : undefined, config.numClasses, where);

  const session: ProtocolSession = {
    signature: {
      inputShape,
      wireShape,
      numClasses,
      ...(batchDim !== undefined && batchDim > 0 ? { maxBatchSize: batchDim } : {}),
      ...(typeof metadata.platform === 'string' && metadata.platform !== '' ? { platform: metadata.platform } : {}),
    },
    request(data, rows) {
      const body = {
        inputs: [{ name: input.name, shape: [rows, ...wireShape], datatype: input.datatype, data: Array.from(data) }],
        outputs: [{ name: output.name }],
      };
      return { path: `${path}/infer`, body: JSON.stringify(body) };
    },
    decode(body, rows, at) {
      if (!isRecord(body)) throw new ModelSealError(ERROR_CODES.output, `${at}: response is not a JSON object`);
      if (typeof body.error === 'string') throw new ModelSealError(ERROR_CODES.remote, `${at}: the server reported an error: ${body.error}`);
      const outputs = Array.isArray(body.outputs) ? body.outputs : [];
      const found = outputs.find((entry) => isRecord(entry) && entry.name === output.name);
      if (!isRecord(found)) {
        const names = outputs.map((entry) => (isRecord(entry) ? `'${String(entry.name)}'` : '?')).join(', ') || 'none';
        throw new ModelSealError(ERROR_CODES.output, `${at}: response has no output '${output.name}' (outputs: ${names})`);
      }
      const label = `'${output.name}'`;
      const shape = found.shape;
      if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
        throw new ModelSealError(ERROR_CODES.output, `${at}: response output ${label} has no valid shape`);
      }
      const dims = shape as number[];
      const [first, ...rest] = dims;
      if (first !== rows || rest.reduce((a, b) => a * b, 1) !== numClasses) throw shapeMismatch(at, label, dims, rows, numClasses);
      const { values } = readNumbers(found.data, `${at}: response output ${label} data`);
      if (values.length !== rows * numClasses) {
        throw new ModelSealError(
          ERROR_CODES.output,
          `${at}: response output ${label} declares shape [${dims.join(', ')}] but carries ${values.length} values`,
        );
      }
      return values;
    },
  };
  return session;
};
