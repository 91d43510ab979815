import { ModelSealError } from '@modelseal/core';
import type { ModelProto } from '../proto/types.ts';
import { listShort, MIN_GRADIENT_OPSET, nodesWithoutRules, tracePath, type PathTrace } from './plan.ts';

/** Which weights a fine-tune trains and which nodes their gradients pass through. */
export interface WeightGradientPlan extends PathTrace {
  readonly inputName: string;
  readonly outputName: string;
  /** The trained weights: the candidates that a node on the way to the output reads, in initializer order. */
  readonly parameters: readonly string[];
}

export interface WeightPlanOptions {
  readonly inputName: string;
  readonly outputName: string;
  readonly opset: number;
  /** Initializers that may be trained (learned parameters, not running statistics or constants). */
  readonly candidates: ReadonlySet<string>;
}

/**
 * Traces the paths from the trainable weights to the output. Unlike the input
 * gradient, the sources are the weights, so nodes that see only the input (the
 * first layer's input gradient) are left out of the backward graph.
 */
export function planWeightGradients(model: ModelProto, options: WeightPlanOptions): WeightGradientPlan {
  if (options.opset < MIN_GRADIENT_OPSET) {
    throw new ModelSealError(
      'UNSUPPORTED',
      `fine-tuning an ONNX model needs opset ${MIN_GRADIENT_OPSET} or newer; this model uses opset ${options.opset}. Re-export it with a newer opset.`,
    );
  }
  const trace = tracePath(model, options.candidates, options.outputName, new Set([options.inputName]));
  const missing = nodesWithoutRules(model, trace);
  if (missing.length > 0) {
    throw new ModelSealError(
      'UNSUPPORTED',
      `cannot fine-tune this ONNX model: no gradient rule for ${listShort(missing)}, which lies between trainable weights and the output.`,
    );
  }
  const nodes = model.graph?.node ?? [];
  const read = new Set(trace.nodeIndices.flatMap((i) => nodes[i]!.input ?? []));
  const parameters = (model.graph?.initializer ?? []).map((t) => t.name ?? '').filter((name) => options.candidates.has(name) && read.has(name));
  if (parameters.length === 0) {
    throw new ModelSealError('UNSUPPORTED', 'cannot fine-tune this ONNX model: no trainable float32 weight lies on the way from its input to its output');
  }
  return { ...trace, inputName: options.inputName, outputName: options.outputName, parameters };
}
