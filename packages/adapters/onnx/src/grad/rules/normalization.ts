import { floatAttribute, intAttribute } from '../../graph/attributes.ts';
import { firstGradient, normalizeAxis, onlyActive, outputName, type GradientRule } from '../rule.ts';

/** Inference-mode batch norm is a per-channel affine map: dX = dY · scale / sqrt(var + ε). */
const batchNormalization: GradientRule = (context, outputGradients) => {
  if (intAttribute(context.node, 'training_mode', 0) !== 0 || (context.node.output ?? []).filter((o) => o !== '').length > 1) {
    context.unsupported('it runs in training mode (batch statistics)');
  }
  onlyActive(context, [0], 'scale, bias, mean or variance');
  const b = context.builder;
  const g = firstGradient(context, outputGradients);
  const [x, scale, , , variance] = (context.node.input ?? []).map((name) => name);
  const epsilon = floatAttribute(context.node, 'epsilon', 1e-5);
  const factor = b.op('Div', [scale!, b.op('Sqrt', [b.op('Add', [variance!, b.scalar(epsilon)])])]);
  const rank = context.shape(x!).length;
  const perChannel = b.op('Reshape', [factor, b.int64Constant([-1, ...new Array<number>(Math.max(0, rank - 2)).fill(1)])]);
  return [b.op('Mul', [g, perChannel])];
};

function softmaxAxis(context: Parameters<GradientRule>[0]): number {
  const rank = context.shape(outputName(context, 0)).length;
  return normalizeAxis(intAttribute(context.node, 'axis', -1), rank);
}

/** dX = Y ⊙ (dY − Σ_axis dY ⊙ Y). */
const softmax: GradientRule = (context, outputGradients) => {
  const b = context.builder;
  const g = firstGradient(context, outputGradients);
  const y = outputName(context, 0);
  const weighted = b.reduceSum(b.op('Mul', [g, y]), [softmaxAxis(context)], true);
  return [b.op('Mul', [y, b.op('Sub', [g, weighted])])];
};

/** dX = dY − exp(Y) ⊙ Σ_axis dY. */
const logSoftmax: GradientRule = (context, outputGradients) => {
  const b = context.builder;
  const g = firstGradient(context, outputGradients);
  const y = outputName(context, 0);
  const total = b.reduceSum(g, [softmaxAxis(context)], true);
  return [b.op('Sub', [g, b.op('Mul', [b.op('Exp', [y]), total])])];
};

export const normalizationRules: Readonly<Record<string, GradientRule>> = {
  BatchNormalization: batchNormalization,
  Softmax: softmax,
  LogSoftmax: logSoftmax,
};

