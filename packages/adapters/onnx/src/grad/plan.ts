import { ModelSealError } from '@modelseal/core';
import type { ModelProto, NodeProto } from '../proto/types.ts';
import { AttributeType } from '../proto/types.ts';
import { gradientRules, nonDifferentiableOps } from './rules/index.ts';

/** The part of a graph that a backward pass walks: what depends on the sources, and what the output needs. */
export interface PathTrace {
  /** Values that depend on the sources (the model input, or the trained weights). */
  readonly activeValues: ReadonlySet<string>;
  /** Indices into graph.node of the nodes between the sources and the output, in forward order. */
  readonly nodeIndices: readonly number[];
  /** Non-initializer values whose static shapes the gradient rules may need. */
  readonly shapeValues: readonly string[];
}

/** Which nodes the backward graph must differentiate, found without running the model. */
export interface GradientPlan extends PathTrace {
  readonly inputName: string;
  readonly outputName: string;
}

export const MIN_GRADIENT_OPSET = 13;

export function isDefaultDomain(node: NodeProto): boolean {
  return node.domain === undefined || node.domain === '' || node.domain === 'ai.onnx';
}

function hasSubgraph(node: NodeProto): boolean {
  return (node.attribute ?? []).some(
    (a) => a.type === AttributeType.GRAPH || a.type === AttributeType.GRAPHS || a.g != null || (a.graphs?.length ?? 0) > 0,
  );
}

function describeNode(node: NodeProto): string {
  const domain = isDefaultDomain(node) ? '' : `${node.domain ?? ''}.`;
  return node.name ? `${domain}${node.op_type ?? '?'} (node "${node.name}")` : `${domain}${node.op_type ?? '?'}`;
}

export function zerothOrderHint(): string {
  return 'Use a zeroth-order estimator instead (gradient: nes or spsa), which needs only predictions, or re-export the model with supported operators.';
}

/**
 * Finds the values that depend on `sources` and the nodes on the paths from them to
 * `outputName`. `fed` names values the caller supplies (the model input), which need
 * no measured shape.
 */
export function tracePath(model: ModelProto, sources: Iterable<string>, outputName: string, fed: ReadonlySet<string>): PathTrace {
  const nodes = model.graph?.node ?? [];
  const active = new Set<string>(sources);
  for (const node of nodes) {
    const inputs = node.input ?? [];
    const touchesSource = inputs.some((name) => active.has(name));
    // A node with a subgraph can read a source without listing it, so assume it does.
    const isActive = hasSubgraph(node) || (touchesSource && !(isDefaultDomain(node) && nonDifferentiableOps.has(node.op_type ?? '')));
    if (isActive) for (const output of node.output ?? []) if (output !== '') active.add(output);
  }

  const needed = new Set<string>([outputName]);
  const onPath: number[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i]!;
    const outputs = node.output ?? [];
    if (!outputs.some((name) => needed.has(name) && active.has(name))) continue;
    onPath.push(i);
    for (const name of node.input ?? []) if (active.has(name)) needed.add(name);
  }
  onPath.reverse();

  const initializers = new Set((model.graph?.initializer ?? []).map((t) => t.name ?? ''));
  const shapeValues = new Set<string>();
  for (const i of onPath) {
    const node = nodes[i]!;
    for (const name of [...(node.input ?? []), ...(node.output ?? [])]) {
      if (name !== '' && !fed.has(name) && !initializers.has(name)) shapeValues.add(name);
    }
  }
  return { activeValues: active, nodeIndices: onPath, shapeValues: [...shapeValues] };
}

/** Descriptions of the nodes in `trace` that no gradient rule covers (empty when every node has one). */
export function nodesWithoutRules(model: ModelProto, trace: PathTrace): string[] {
  const nodes = model.graph?.node ?? [];
  const missing = trace.nodeIndices
    .map((i) => nodes[i]!)
    .filter((node) => hasSubgraph(node) || !isDefaultDomain(node) || !gradientRules.has(node.op_type ?? ''));
  return [...new Set(missing.map(describeNode))];
}

/** "A, B, C, and 3 more": keeps an error message readable for a model full of unknown operators. */
export function listShort(names: readonly string[], limit = 8): string {
  return names.slice(0, limit).join(', ') + (names.length > limit ? `, and ${names.length - limit} more` : '');
}

/**
 * Finds the nodes on the paths from the model input to its output and checks that
 * each has a gradient rule; throws UNSUPPORTED naming every operator that lacks one.
 */
export function planGradient(model: ModelProto, inputName: string, outputName: string, opset: number): GradientPlan {
  if (opset < MIN_GRADIENT_OPSET) {
    throw new ModelSealError(
      'UNSUPPORTED',
      `exact gradients need ONNX opset ${MIN_GRADIENT_OPSET} or newer; this model uses opset ${opset}. Re-export it with a newer opset. ${zerothOrderHint()}`,
    );
  }
  const trace = tracePath(model, [inputName], outputName, new Set([inputName]));
  const missing = nodesWithoutRules(model, trace);
  if (missing.length > 0) {
    throw new ModelSealError(
      'UNSUPPORTED',
      `exact gradients are not available for this model: no gradient rule for ${listShort(missing)}. ${zerothOrderHint()}`,
    );
  }
  return { ...trace, inputName, outputName };
}
