/**
 * TensorFlow Serving REST API: https://www.tensorflow.org/tfx/serving/api_rest
 */
import { ModelSealError } from '@modelseal/core';
import { parseJsonAnswer, type RemoteClient } from '../client.ts';
import { ERROR_CODES } from '../codes.ts';
import type { HttpAdapterConfig } from '../config.ts';
import { modelPath } from '../model-url.ts';
import { nest, readNumbers } from '../values.ts';
import {
  isRecord,
  pickNamed,
  resolveInputShape,
  resolveNumClasses,
  type ConnectProtocol,
  type ProtocolSession,
} from './session.ts';

interface SignatureTensor {
  readonly name: string;
  readonly dims: number[];
}

function checkAvailable(body: unknown, version: string | undefined, where: string): void {
  const statuses = isRecord(body) && Array.isArray(body.model_version_status) ? body.model_version_status : [];
  const states = statuses.filter(isRecord).filter((s) => version === undefined || String(s.version) === version);
  if (!states.some((s) => s.state === 'AVAILABLE')) {
    const seen = states.map((s) => `version ${String(s.version)}: ${String(s.state)}`).join(', ') || 'no versions listed';
    throw new ModelSealError(ERROR_CODES.load, `${where}: the model is not available (${seen})`);
  }
}

function signatureTensors(map: unknown): SignatureTensor[] {
  if (!isRecord(map)) return [];
  return Object.entries(map).map(([name, info]) => {
    const dim = isRecord(info) && isRecord(info.tensor_shape) && Array.isArray(info.tensor_shape.dim) ? info.tensor_shape.dim : [];
    // Sizes are int64 strings; anything unreadable counts as a dynamic dimension.
    const dims = dim.map((d) => Number(isRecord(d) ? d.size : NaN)).map((size) => (Number.isInteger(size) ? size : -1));
    return { name, dims };
  });
}

/** Reads the serving_default signature; throws when the server offers none. */
async function readSignature(client: RemoteClient, path: string, signal?: AbortSignal): Promise<{ inputs: SignatureTensor[]; outputs: SignatureTensor[] }> {
  const answer = await client.send({ method: 'GET', path: `${path}/metadata`, ...(signal ? { signal } : {}) });
  const body = parseJsonAnswer(answer);
  const defs = isRecord(body) && isRecord(body.metadata) && isRecord(body.metadata.signature_def) ? body.metadata.signature_def.signature_def : undefined;
  const signature = isRecord(defs) ? defs.serving_default : undefined;
  if (!isRecord(signature)) throw new Error(`${answer.where} has no serving_default signature`);
  return { inputs: signatureTensors(signature.inputs), outputs: signatureTensors(signature.outputs) };
}

export const connectTfServing: ConnectProtocol = async (client, config: HttpAdapterConfig, signal) => {
  const target = client.target;
  const path = modelPath(target);
  const statusAnswer = await client.send({ method: 'GET', path, ...(signal ? { signal } : {}) });
  checkAvailable(parseJsonAnswer(statusAnswer), target.version, `model status from ${statusAnswer.where.replace(/^GET /, '')}`);

  let remoteInput: SignatureTensor | undefined;
  let remoteOutput: SignatureTensor | undefined;
  if (config.inputShape === undefined || config.numClasses === undefined) {
    let signature: Awaited<ReturnType<typeof readSignature>>;
    try {
      signature = await readSignature(client, path, signal);
    } catch (error) {
      throw new ModelSealError(
        ERROR_CODES.config,
        `TF Serving model ${target.display} needs inputShape and numClasses in the config: reading them from its metadata failed (${(error as Error).message})`,
        { cause: error },
      );
    }
    const where = `model metadata from ${target.base}${path}/metadata`;
    remoteInput = pickNamed(signature.inputs, config.inputName, 'input', 'inputName', where);
    remoteOutput = pickNamed(signature.outputs, config.outputName, 'output', 'outputName', where);
  }
  const where = `TF Serving model ${target.display}`;
  const { inputShape, wireShape } = resolveInputShape(
    remoteInput && remoteInput.dims.length > 1 ? remoteInput.dims.slice(1) : undefined,
    config.inputShape,
    where,
  );
  const outputDims = remoteOutput?.dims ?? [];
  const numClasses = resolveNumClasses(outputDims.length > 1 ? outputDims[outputDims.length - 1] : undefined, config.numClasses, where);
  const inputName = config.inputName;
  const outputName = config.outputName;

  /** Picks one output of a named-outputs object. */
  const pickOutput = (value: Record<string, unknown>, at: string): unknown => {
    const keys = Object.keys(value);
    const key = outputName ?? (keys.length === 1 ? keys[0] : undefined);
    if (key === undefined || !(key in value)) {
      throw new ModelSealError(
        ERROR_CODES.output,
        `${at}: response has outputs ${keys.map((k) => `'${k}'`).join(', ') || 'none'}; choose one with outputName in the config`,
      );
    }
    return value[key];
  };

  const session: ProtocolSession = {
    signature: { inputShape, wireShape, numClasses },
    request(data, rows) {
      const size = data.length / Math.max(rows, 1);
      const instances: unknown[] = [];
      for (let r = 0; r < rows; r++) {
        const sample = nest(data.subarray(r * size, (r + 1) * size), wireShape);
        instances.push(inputName === undefined ? sample : { [inputName]: sample });
      }
      return { path: `${path}:predict`, body: JSON.stringify({ instances }) };
    },
    decode(body, rows, at) {
      if (!isRecord(body)) throw new ModelSealError(ERROR_CODES.output, `${at}: response is not a JSON object`);
      if (typeof body.error === 'string') throw new ModelSealError(ERROR_CODES.remote, `${at}: the server reported an error: ${body.error}`);
      let predictions = body.predictions ?? body.outputs;
      if (predictions === undefined) throw new ModelSealError(ERROR_CODES.output, `${at}: response has no "predictions"`);
      if (isRecord(predictions)) predictions = pickOutput(predictions, at);
      if (!Array.isArray(predictions)) throw new ModelSealError(ERROR_CODES.output, `${at}: response "predictions" is not an array`);
      if (predictions.length !== rows) {
        throw new ModelSealError(
          ERROR_CODES.output,
          `${at}: response has ${predictions.length} predictions but the request had ${rows} sample${rows === 1 ? '' : 's'}`,
        );
      }
      const values: number[] = [];
      predictions.forEach((prediction: unknown, i: number) => {
        const scores = isRecord(prediction) ? pickOutput(prediction, at) : prediction;
        const row = readNumbers(scores, `${at}: response predictions[${i}]`);
        if (row.values.length !== numClasses) {
          throw new ModelSealError(
            ERROR_CODES.output,
            `${at}: response predictions[${i}] has shape [${row.shape.join(', ')}] but the model has ${numClasses} classes`,
          );
        }
        values.push(...row.values);
      });
      return values;
    },
  };
  return session;
};
