import { ModelSealError } from '@modelseal/core';
import type { NodeProto } from '../proto/types.ts';
import type { GraphBuilder } from './builder.ts';
import { isDefaultDomain, type PathTrace } from './plan.ts';
import type { GradientContext } from './rule.ts';
import { gradientRules } from './rules/index.ts';

export interface BackwardPass {
  readonly builder: GraphBuilder;
  /** The nodes of the model being extended (rules may add outputs to them). */
  readonly nodes: readonly NodeProto[];
  readonly trace: PathTrace;
  /** Static shape of a value, measured at the probe batch size. */
  readonly shape: (value: string) => readonly number[];
  /** The message of the UNSUPPORTED error when a rule refuses a node; `label` names the node. */
  readonly refusal: (label: string, reason: string) => string;
}

/**
 * Emits the backward pass of `trace`, from `seeds` (value → the name of its gradient),
 * and returns a lookup of the summed gradient of any active value (undefined where no
 * gradient reaches it). Gradients of values read by several nodes are summed.
 */
export function backpropagate(pass: BackwardPass, seeds: ReadonlyMap<string, string>): (value: string) => string | undefined {
  const { builder, trace } = pass;
  const gradients = new Map<string, string[]>([...seeds].map(([value, gradient]) => [value, [gradient]]));
  for (const index of [...trace.nodeIndices].reverse()) {
    const node = pass.nodes[index]!;
    const outputGradients = (node.output ?? []).map((name) => {
      const parts = gradients.get(name);
      return parts ? builder.sum(parts) : undefined;
    });
    if (outputGradients.every((g) => g === undefined)) continue;
    const rule = isDefaultDomain(node) ? gradientRules.get(node.op_type ?? '') : undefined;
    const context: GradientContext = {
      builder,
      node,
      shape: pass.shape,
      active: (i) => trace.activeValues.has(node.input?.[i] ?? ''),
      unsupported: (reason) => {
        const label = node.name ? `${node.op_type ?? '?'} node "${node.name}"` : `${node.op_type ?? '?'} node`;
        throw new ModelSealError('UNSUPPORTED', pass.refusal(label, reason));
      },
    };
    if (!rule) context.unsupported('it has no gradient rule');
    const inputGradients = rule(context, outputGradients);
    (node.input ?? []).forEach((name, i) => {
      const gradient = inputGradients[i];
      if (gradient === undefined || !trace.activeValues.has(name)) return;
      const parts = gradients.get(name);
      if (parts) parts.push(gradient);
      else gradients.set(name, [gradient]);
    });
  }
  const summed = new Map<string, string>();
  return (value) => {
    const parts = gradients.get(value);
    if (!parts) return undefined;
    let total = summed.get(value);
    if (total === undefined) {
      total = builder.sum(parts);
      summed.set(value, total);
    }
    return total;
  };
}
