import { ModelSealError } from '@modelseal/core';
import type { ModelProto, NodeProto } from '../proto/types.ts';
import { AttributeType } from '../proto/types.ts';
import { gradientRules, nonDifferentiableOps } from './rules/index.ts';

/** Which nodes the backward graph must differentiate, found without running the model. */
export interface GradientPlan {
  readonly inputName: string;
  readonly outputName: string;
  /** Values that depend on the model input. */
  readonly activeValues: ReadonlySet<string>;
  /** Indices into graph.node of the nodes between input and output, in forward order. */
  readonly nodeIndices: readonly number[];
  /** Non-initializer values whose static shapes the gradient rules may need. */
  readonly shapeValues: readonly string[];
}

const MIN_OPSET = 13;

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
 * Finds the nodes on the paths from the model input to its output and checks that
 * each has a gradient rule; throws UNSUPPORTED naming every operator that lacks one.
 */
export function planGradient(model: ModelProto, inputName: string, outputName: string, opset: number): GradientPlan {
  if (opset < MIN_OPSET) {
    throw new ModelSealError(
      'UNSUPPORTED',
      `exact gradients need ONNX opset ${MIN_OPSET} or newer; this model uses opset ${opset}. Re-export it with a newer opset. ${zerothOrderHint()}`,
    );
  }
  const nodes = model.graph?.node ?? [];
  const active = new Set<string>([inputName]);
  for (const node of nodes) {
    const inputs = node.input ?? [];
    const touchesInput = inputs.some((name) => active.has(name));
    // A node with a subgraph can read the input without listing it, so assume it does.
    const isActive = hasSubgraph(node) || (touchesInput && !(isDefaultDomain(node) && nonDifferentiableOps.has(node.op_type ?? '')));
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

  const missing = onPath
    .map((i) => nodes[i]!)
    .filter((node) => hasSubgraph(node) || !isDefaultDomain(node) || !gradientRules.has(node.op_type ?? ''));
  if (missing.length > 0) {
    const names = [...new Set(missing.map(describeNode))];
    const shown = names.slice(0, 8).join(', ') + (names.length > 8 ? `, and ${names.length - 8} more` : '');
    throw new ModelSealError(
      'UNSUPPORTED',
      `exact gradients are not available for this model: no gradient rule for ${shown}. ${zerothOrderHint()}`,
    );
  }

  const initializers = new Set((model.graph?.initializer ?? []).map((t) => t.name ?? ''));
  const shapeValues = new Set<string>();
  for (const i of onPath) {
    const node = nodes[i]!;
    for (const name of [...(node.input ?? []), ...(node.output ?? [])]) {
      if (name !== '' && name !== inputName && !initializers.has(name)) shapeValues.add(name);
    }
  }
  return { inputName, outputName, activeValues: active, nodeIndices: onPath, shapeValues: [...shapeValues] };
}
