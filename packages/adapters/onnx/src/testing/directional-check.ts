import { Random, sizeOf, type ModelAdapter, type Tensor } from '@modelseal/core';

export interface DirectionalCheck {
  /** Largest |analytic − numeric| / max(|analytic|, |numeric|) over samples and directions. */
  readonly maxRelativeError: number;
  /**
   * Largest |analytic − numeric| / ‖∇L‖: the error as a fraction of the largest
   * directional derivative, immune to directions that happen to be nearly orthogonal to ∇L.
   */
  readonly maxNormalizedError: number;
  readonly errors: readonly number[];
}

/** Classes whose probability is below this get no weight: their logarithm is too coarse in float32. */
const TINY = 1e-25;

/**
 * Checks `vjp` against central finite differences along unit directions, one sample
 * at a time. The objective is L(x) = Σ_k c_k·log p_k(x), whose gradient is
 * vjp(x, c/p): unlike ⟨p, c⟩ it stays well conditioned when a confident model's
 * probabilities saturate (float32 resolves p ≈ 1 only to 6e-8, log p to 6e-8 relative).
 */
export async function directionalCheck(
  adapter: ModelAdapter,
  inputs: Tensor,
  options: { readonly directions: number; readonly step: number; readonly seed?: number },
): Promise<DirectionalCheck> {
  const random = new Random(options.seed ?? 3);
  const n = adapter.describe().numClasses;
  const size = sizeOf(inputs.shape.slice(1));
  const shape = [1, ...inputs.shape.slice(1)];
  const errors: number[] = [];
  const normalized: number[] = [];
  for (let row = 0; row < (inputs.shape[0] ?? 0); row++) {
    const x = inputs.data.slice(row * size, (row + 1) * size);
    const p0 = (await adapter.predict({ data: x, shape })).data;
    const weights = new Float64Array(n);
    for (let c = 0; c < n; c++) weights[c] = p0[c]! > TINY ? random.gaussian() : 0;
    const cotangent = new Float32Array(n);
    for (let c = 0; c < n; c++) cotangent[c] = weights[c] === 0 ? 0 : weights[c]! / p0[c]!;
    const { gradient } = await adapter.vjp!({ data: x, shape }, { data: cotangent, shape: [1, n] });
    const objective = async (direction: Float32Array, t: number): Promise<number> => {
      const moved = new Float32Array(size);
      for (let i = 0; i < size; i++) moved[i] = x[i]! + t * direction[i]!;
      const p = (await adapter.predict({ data: moved, shape })).data;
      let value = 0;
      for (let c = 0; c < n; c++) if (weights[c] !== 0) value += weights[c]! * Math.log(p[c]!);
      return value;
    };
    let gradientNorm = 0;
    for (let i = 0; i < size; i++) gradientNorm += gradient.data[i]! ** 2;
    gradientNorm = Math.sqrt(gradientNorm);
    for (let d = 0; d < options.directions; d++) {
      // Half along the gradient, half random: a purely random direction in many dimensions is
      // nearly orthogonal to the gradient, and the relative error of a tiny derivative means little.
      const direction = new Float32Array(size);
      let norm = 0;
      for (let i = 0; i < size; i++) {
        direction[i] = random.gaussian();
        norm += direction[i]! ** 2;
      }
      norm = Math.sqrt(norm);
      let combined = 0;
      for (let i = 0; i < size; i++) {
        direction[i] = direction[i]! / norm + gradient.data[i]! / Math.max(gradientNorm, 1e-30);
        combined += direction[i]! ** 2;
      }
      combined = Math.sqrt(combined);
      for (let i = 0; i < size; i++) direction[i] = direction[i]! / combined;
      const numeric = ((await objective(direction, options.step)) - (await objective(direction, -options.step))) / (2 * options.step);
      let analytic = 0;
      for (let i = 0; i < size; i++) analytic += gradient.data[i]! * direction[i]!;
      errors.push(Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric), 1e-9));
      normalized.push(Math.abs(analytic - numeric) / Math.max(gradientNorm, 1e-9));
    }
  }
  return { maxRelativeError: Math.max(...errors), maxNormalizedError: Math.max(...normalized), errors };
}
