import type { NodeProto } from '../proto/types.ts';
import type { GraphBuilder } from './builder.ts';

export interface GradientContext {
  readonly builder: GraphBuilder;
  /** The forward node inside the augmented model; a rule may add outputs to it (MaxPool's indices). */
  readonly node: NodeProto;
  /** Static shape of a value, measured at the probe batch size (2). */
  shape(value: string): readonly number[];
  /** Whether input `index` depends on the model input, so needs a gradient. */
  active(index: number): boolean;
  /** Stops the build with an UNSUPPORTED error that names this node. */
  unsupported(reason: string): never;
}

/**
 * Emits the vector–Jacobian product of one node: given the gradients of its outputs
 * (undefined where no gradient flows), returns the gradient of each input
 * (undefined for inputs that are not active).
 */
export type GradientRule = (context: GradientContext, outputGradients: readonly (string | undefined)[]) => (string | undefined)[];

export function inputName(context: GradientContext, index: number): string {
  return context.node.input?.[index] ?? '';
}

export function outputName(context: GradientContext, index: number): string {
  return context.node.output?.[index] ?? '';
}

/** Gradient of output 0, which every rule here requires. */
export function firstGradient(context: GradientContext, outputGradients: readonly (string | undefined)[]): string {
  const gradient = outputGradients[0];
  if (gradient === undefined) context.unsupported('only its first output may carry a gradient');
  return gradient;
}

/** Refuses gradients through inputs other than the listed ones (e.g. batch-norm statistics computed from the input). */
export function onlyActive(context: GradientContext, allowed: readonly number[], what: string): void {
  const count = context.node.input?.length ?? 0;
  for (let i = 0; i < count; i++) {
    if (!allowed.includes(i) && context.active(i)) context.unsupported(`its input ${i} (${what}) would need a gradient (it depends on the model input or on a trained weight)`);
  }
}

export function normalizeAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}
