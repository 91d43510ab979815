import { floatAttribute, intAttribute } from '../../graph/attributes.ts';
import { firstGradient, inputName, outputName, type GradientRule } from '../rule.ts';

/** Y = alpha·A'·B' + beta·C with A' = transA ? Aᵀ : A and B' = transB ? Bᵀ : B. */
const gemm: GradientRule = (context, outputGradients) => {
  const b = context.builder;
  const g = firstGradient(context, outputGradients);
  const [a, bMatrix, c] = [inputName(context, 0), inputName(context, 1), inputName(context, 2)];
  const alpha = floatAttribute(context.node, 'alpha', 1);
  const beta = floatAttribute(context.node, 'beta', 1);
  const transA = intAttribute(context.node, 'transA', 0);
  const transB = intAttribute(context.node, 'transB', 0);
  const scale = alpha === 1 ? undefined : { float: alpha };
  // dA' = alpha·g·B'ᵀ, dB' = alpha·A'ᵀ·g; a transposed operand takes the transposed gradient.
  const gradA = context.active(0)
    ? transA === 0
      ? b.op('Gemm', [g, bMatrix], { alpha: scale, transB: transB === 0 ? 1 : 0 })
      : b.op('Gemm', [bMatrix, g], { alpha: scale, transA: transB, transB: 1 })
    : undefined;
  const gradB = context.active(1)
    ? transB === 0
      ? b.op('Gemm', [a, g], { alpha: scale, transA: transA === 0 ? 1 : 0 })
      : b.op('Gemm', [g, a], { alpha: scale, transA: 1, transB: transA })
    : undefined;
  let gradC: string | undefined;
  if (c !== '' && context.active(2)) {
    const scaled = beta === 1 ? g : b.op('Mul', [g, b.scalar(beta)]);
    gradC = b.unbroadcast(scaled, context.shape(outputName(context, 0)), c, context.shape(c));
  }
  return [gradA, gradB, gradC];
};

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

/** Batched matrix product with numpy broadcasting of the leading (batch) dimensions. */
const matMul: GradientRule = (context, outputGradients) => {
  const b = context.builder;
  const g = firstGradient(context, outputGradients);
  const [a, bMatrix] = [inputName(context, 0), inputName(context, 1)];
  const shapeA = context.shape(a);
  const shapeB = context.shape(bMatrix);
  if (shapeA.length < 2 || shapeB.length < 2) context.unsupported('a MatMul operand is a vector (rank 1)');
  const batch = context.shape(outputName(context, 0)).slice(0, -2);
  const gradA = context.active(0)
    ? b.unbroadcast(
        b.op('MatMul', [g, b.op('Transpose', [bMatrix], { perm: swapLastTwo(shapeB.length) })]),
        [...batch, ...shapeA.slice(-2)],
        a,
        shapeA,
      )
    : undefined;
  const gradB = context.active(1)
    ? b.unbroadcast(
        b.op('MatMul', [b.op('Transpose', [a], { perm: swapLastTwo(shapeA.length) }), g]),
        [...batch, ...shapeB.slice(-2)],
        bMatrix,
        shapeB,
      )
    : undefined;
  return [gradA, gradB];
};

export const linearRules: Readonly<Record<string, GradientRule>> = { Gemm: gemm, MatMul: matMul };
