import { floatAttribute, intAttribute } from '../../graph/attributes.ts';
import { firstGradient, normalizeAxis, onlyActive, outputName, type GradientRule } from '../rule.ts';

/**
 * Inference-mode batch norm is a per-channel affine map, y = scale·x̂ + bias with
 * x̂ = (x − mean) / sqrt(var + ε): dX = dY · scale / sqrt(var + ε), and when they
 * train, dScale = Σ dY·x̂ and dBias = Σ dY over the batch and spatial axes. The
 * running statistics stay frozen: they take no gradient.
 */
const batchNormalization: GradientRule = (context, outputGradients) => {
  if (intAttribute(context.node, 'training_mode', 0) !== 0 || (context.node.output ?? []).filter((o) => o !== '').length > 1) {
    context.unsupported('it runs in training mode (batch statistics)');
  }
  onlyActive(context, [0, 1, 2], 'mean or variance');
  const b = context.builder;
  const g = firstGradient(context, outputGradients);
  const [x, scale, , mean, variance] = (context.node.input ?? []).map((name) => name);
  const epsilon = floatAttribute(context.node, 'epsilon', 1e-5);
  const rank = context.shape(x!).length;
  const channelShape = b.int64Constant([-1, ...new Array<number>(Math.max(0, rank - 2)).fill(1)]);
  const perChannel = (value: string): string => b.op('Reshape', [value, channelShape]);
  const reduced = [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)];
  const deviation = b.op('Sqrt', [b.op('Add', [variance!, b.scalar(epsilon)])]);
  const gradX = context.active(0) ? b.op('Mul', [g, perChannel(b.op('Div', [scale!, deviation]))]) : undefined;
  let gradScale: string | undefined;
  if (context.active(1)) {
    const normalized = b.op('Div', [b.op('Sub', [x!, perChannel(mean!)]), perChannel(deviation)]);
    gradScale = b.reduceSum(b.op('Mul', [g, normalized]), reduced, false);
  }
  const gradBias = context.active(2) ? b.reduceSum(g, reduced, false) : undefined;
  return [gradX, gradScale, gradBias];
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

