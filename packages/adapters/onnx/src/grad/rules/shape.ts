import { intAttribute, intsAttribute } from '../../graph/attributes.ts';
import { firstGradient, inputName, normalizeAxis, outputName, type GradientRule } from '../rule.ts';

/** Ops that only rearrange elements in row-major order: the gradient is reshaped back. */
const reshapeBack: GradientRule = (context, outputGradients) => {
  const g = firstGradient(context, outputGradients);
  return [context.builder.reshapeLike(g, inputName(context, 0))];
};

const transpose: GradientRule = (context, outputGradients) => {
  const g = firstGradient(context, outputGradients);
  const rank = context.shape(inputName(context, 0)).length;
  const perm = intsAttribute(context.node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const inverse = new Array<number>(rank);
  perm.forEach((axis, i) => {
    inverse[axis] = i;
  });
  return [context.builder.op('Transpose', [g], { perm: inverse })];
};

/** Each input gets back its own slab of the output gradient. */
const concat: GradientRule = (context, outputGradients) => {
  const b = context.builder;
  const g = firstGradient(context, outputGradients);
  const rank = context.shape(outputName(context, 0)).length;
  const axis = normalizeAxis(intAttribute(context.node, 'axis', 0), rank);
  if (axis === 0) context.unsupported('it concatenates along the batch axis');
  let offset = 0;
  return (context.node.input ?? []).map((name, i) => {
    const size = context.shape(name)[axis]!;
    const start = offset;
    offset += size;
    if (!context.active(i)) return undefined;
    return b.op('Slice', [g, b.int64Constant([start]), b.int64Constant([start + size]), b.int64Constant([axis])]);
  });
};

export const shapeRules: Readonly<Record<string, GradientRule>> = {
  Flatten: reshapeBack,
  Reshape: reshapeBack,
  Squeeze: reshapeBack,
  Unsqueeze: reshapeBack,
  Transpose: transpose,
  Concat: concat,
};
