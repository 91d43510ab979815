import type { ModelAdapter } from '../adapter/contract.ts';
import { ModelSealError } from '../errors.ts';
import { sizeOf, type Tensor } from '../tensor/tensor.ts';
import { Random } from '../util/random.ts';
import { predictAll, type GradientSource } from './gradient.ts';

export interface ZerothOrderOptions {
  /** Antithetic probe pairs per sample and step (each pair costs two queries). */
  readonly probes?: number;
  /** Probe radius, in input units. */
  readonly sigma?: number;
  readonly seed?: number;
}

type Distribution = 'gaussian' | 'rademacher';

/**
 * Estimates Jᵀc from probabilities alone, for black-box models:
 * g ≈ 1/(2σK) Σₖ (⟨f(x+σuₖ), c⟩ − ⟨f(x−σuₖ), c⟩) uₖ, with Gaussian uₖ (NES) or
 * Rademacher uₖ (SPSA). All probes of all samples of a step, plus the samples
 * themselves, go out in as few predict calls as the adapter's batch limit allows.
 */
function zerothOrder(adapter: ModelAdapter, distribution: Distribution, options: ZerothOrderOptions): GradientSource {
  const probes = options.probes ?? 50;
  const sigma = options.sigma ?? 1e-3;
  if (!Number.isInteger(probes) || probes < 1) throw new ModelSealError('INVALID_ARGUMENT', `probes must be a positive integer, got ${probes}`);
  if (!(sigma > 0)) throw new ModelSealError('INVALID_ARGUMENT', `sigma must be positive, got ${sigma}`);
  const random = new Random(options.seed ?? 0);
  const description = adapter.describe();
  const rowSize = sizeOf(description.inputShape);
  const n = description.numClasses;
  const draw = distribution === 'gaussian' ? () => random.gaussian() : () => (random.next() < 0.5 ? -1 : 1);

  return {
    name: distribution === 'gaussian' ? 'nes' : 'spsa',
    async compute(inputs: Tensor, cotangent: Tensor, signal?: AbortSignal) {
      const count = inputs.shape[0] ?? 0;
      const perSample = 2 * probes + 1;
      const batch = new Float32Array(count * perSample * rowSize);
      const directions = new Float32Array(count * probes * rowSize);
      for (let s = 0; s < count; s++) {
        const x = inputs.data.subarray(s * rowSize, (s + 1) * rowSize);
        const base = s * perSample;
        batch.set(x, base * rowSize);
        for (let k = 0; k < probes; k++) {
          const u = directions.subarray((s * probes + k) * rowSize, (s * probes + k + 1) * rowSize);
          const plus = (base + 1 + 2 * k) * rowSize;
          const minus = plus + rowSize;
          for (let i = 0; i < rowSize; i++) {
            u[i] = draw();
            // Probes are not clipped to the value range: the model is only evaluated there.
            batch[plus + i] = x[i]! + sigma * u[i]!;
            batch[minus + i] = x[i]! - sigma * u[i]!;
          }
        }
      }
      const probabilities = await predictAll(adapter, { data: batch, shape: [count * perSample, ...description.inputShape] }, signal);
      const gradient = new Float32Array(count * rowSize);
      const centre = new Float32Array(count * n);
      for (let s = 0; s < count; s++) {
        const base = s * perSample;
        centre.set(probabilities.data.subarray(base * n, (base + 1) * n), s * n);
        const c = cotangent.data.subarray(s * n, (s + 1) * n);
        const g = gradient.subarray(s * rowSize, (s + 1) * rowSize);
        for (let k = 0; k < probes; k++) {
          const plus = probabilities.data.subarray((base + 1 + 2 * k) * n, (base + 2 + 2 * k) * n);
          const minus = probabilities.data.subarray((base + 2 + 2 * k) * n, (base + 3 + 2 * k) * n);
          let difference = 0;
          for (let j = 0; j < n; j++) difference += (plus[j]! - minus[j]!) * c[j]!;
          const scale = difference / (2 * sigma * probes);
          const u = directions.subarray((s * probes + k) * rowSize, (s * probes + k + 1) * rowSize);
          for (let i = 0; i < rowSize; i++) g[i]! += scale * u[i]!;
        }
      }
      return {
        gradient: { data: gradient, shape: [...inputs.shape] },
        probabilities: { data: centre, shape: [count, n] },
        queries: count * perSample,
      };
    },
  };
}

export function nesGradient(adapter: ModelAdapter, options: ZerothOrderOptions = {}): GradientSource {
  return zerothOrder(adapter, 'gaussian', options);
}

export function spsaGradient(adapter: ModelAdapter, options: ZerothOrderOptions = {}): GradientSource {
  return zerothOrder(adapter, 'rademacher', options);
}
