import { floatAttribute } from '../../graph/attributes.ts';
import { firstGradient, inputName, outputName, type GradientRule } from '../rule.ts';

const passThrough: GradientRule = (context, outputGradients) => [firstGradient(context, outputGradients)];

/** Dropout in an inference graph is the identity on its first output. */
const dropout: GradientRule = (context, outputGradients) => [firstGradient(context, outputGradients)];

const add: GradientRule = (context, outputGradients) => {
  const b = context.builder;
  const g = firstGradient(context, outputGradients);
  const outShape = context.shape(outputName(context, 0));
  return (context.node.input ?? []).map((name, i) =>
    context.active(i) ? b.unbroadcast(g, outShape, name, context.shape(name)) : undefined,
  );
};

const sub: GradientRule = (context, outputGradients) => {
  const b = context.builder;
  const g = firstGradient(context, outputGradients);
  const outShape = context.shape(outputName(context, 0));
  const [x, y] = [inputName(context, 0), inputName(context, 1)];
  return [
    context.active(0) ? b.unbroadcast(g, outShape, x, context.shape(x)) : undefined,
    context.active(1) ? b.unbroadcast(b.op('Neg', [g]), outShape, y, context.shape(y)) : undefined,
  ];
};

const mul: GradientRule = (context, outputGradients) => {
  const b = context.builder;
  const g = firstGradient(context, outputGradients);
  const outShape = context.shape(outputName(context, 0));
  const [x, y] = [inputName(context, 0), inputName(context, 1)];
  return [
    context.active(0) ? b.unbroadcast(b.op('Mul', [g, y]), outShape, x, context.shape(x)) : undefined,
    context.active(1) ? b.unbroadcast(b.op('Mul', [g, x]), outShape, y, context.shape(y)) : undefined,
  ];
};

const div: GradientRule = (context, outputGradients) => {
  const b = context.builder;
  const g = firstGradient(context, outputGradients);
  const out = outputName(context, 0);
  const outShape = context.shape(out);
  const [x, y] = [inputName(context, 0), inputName(context, 1)];
  const gOverY = context.active(0) || context.active(1) ? b.op('Div', [g, y]) : '';
  return [
    context.active(0) ? b.unbroadcast(gOverY, outShape, x, context.shape(x)) : undefined,
    // d(x/y)/dy = −(x/y)/y: reuses the forward output instead of squaring y.
    context.active(1) ? b.unbroadcast(b.op('Neg', [b.op('Mul', [gOverY, out])]), outShape, y, context.shape(y)) : undefined,
  ];
};

/** Variadic Sum: every input receives the (unbroadcast) output gradient. */
const sum: GradientRule = add;

const relu: GradientRule = (context, outputGradients) => {
  const b = context.builder;
  const g = firstGradient(context, outputGradients);
  // Reading the output (y > 0 exactly where x > 0) leaves the input to the forward pass alone,
  // so ONNX Runtime can still fuse Conv+Relu. Zero gradient at exactly 0, as in PyTorch.
  const positive = b.op('Greater', [outputName(context, 0), b.scalar(0)]);
  return [b.op('Where', [positive, g, b.scalar(0)])];
};

const leakyRelu: GradientRule = (context, outputGradients) => {
  const b = context.builder;
  const g = firstGradient(context, outputGradients);
  const alpha = floatAttribute(context.node, 'alpha', 0.01);
  const positive = b.op('Greater', [inputName(context, 0), b.scalar(0)]);
  return [b.op('Where', [positive, g, b.op('Mul', [g, b.scalar(alpha)])])];
};

const sigmoid: GradientRule = (context, outputGradients) => {
  const b = context.builder;
  const g = firstGradient(context, outputGradients);
  const y = outputName(context, 0);
  return [b.op('Mul', [g, b.op('Mul', [y, b.op('Sub', [b.scalar(1), y])])])];
};

const tanh: GradientRule = (context, outputGradients) => {
  const b = context.builder;
  const g = firstGradient(context, outputGradients);
  const y = outputName(context, 0);
  return [b.op('Mul', [g, b.op('Sub', [b.scalar(1), b.op('Mul', [y, y])])])];
};

export const elementwiseRules: Readonly<Record<string, GradientRule>> = {
  Identity: passThrough,
  Dropout: dropout,
  Add: add,
  Sub: sub,
  Mul: mul,
  Div: div,
  Sum: sum,
  Relu: relu,
  LeakyRelu: leakyRelu,
  Sigmoid: sigmoid,
  Tanh: tanh,
};
