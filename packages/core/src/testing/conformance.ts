import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelAdapter, ModelDescription } from '../adapter/contract.ts';
import { snapshotWeights } from '../attacks/report.ts';
import { isModelSealError } from '../errors.ts';
import { sizeOf, type Tensor } from '../tensor/tensor.ts';
import { Random } from '../util/random.ts';

export interface ConformanceOptions {
  /** Creates a fresh adapter; called once for the suite and once more for the dispose check. */
  readonly create: () => Promise<ModelAdapter>;
  /**
   * Valid inputs `[N, ...inputShape]` with N ≥ 4; random values in the value range are used
   * when omitted. For max-pool models avoid images with flat regions (e.g. raw digits): tied
   * maxima make the model non-differentiable there and finite differences disagree.
   */
  readonly sampleInputs?: () => Promise<Tensor>;
  /** Largest allowed |p_alone − p_in_batch| (float32 kernels may differ slightly by batch size). */
  readonly batchTolerance?: number;
  /** Relative tolerance of vjp against central finite differences. */
  readonly gradientTolerance?: number;
  /** Step of the finite differences, in input units. */
  readonly finiteDifferenceStep?: number;
  /** Whether to expect `vjp` (white-box adapters should say true so that a missing one fails). */
  readonly expectVjp?: boolean;
  /** Whether to expect weight access. */
  readonly expectWeights?: boolean;
  /** Whether to expect `fineTune` (with weight access, so that the tie-top probe can undo it). */
  readonly expectFineTune?: boolean;
}

function randomInputs(description: ModelDescription, count: number, seed: number): Tensor {
  const random = new Random(seed);
  const [lo, hi] = description.valueRange;
  const data = new Float32Array(count * sizeOf(description.inputShape));
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * random.next();
  return { data, shape: [count, ...description.inputShape] };
}

function l2(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]! ** 2;
  return Math.sqrt(sum);
}

function sliceRows(batch: Tensor, start: number, end: number): Tensor {
  const rowSize = sizeOf(batch.shape.slice(1));
  return { data: batch.data.slice(start * rowSize, end * rowSize), shape: [end - start, ...batch.shape.slice(1)] };
}

async function expectModelSealError(promise: Promise<unknown>, code: string): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a ModelSealError with code ${code}`).toBeDefined();
  expect(isModelSealError(caught), `expected a ModelSealError, got ${String(caught)}`).toBe(true);
  expect((caught as { code: string }).code).toBe(code);
  expect((caught as Error).message.length).toBeGreaterThan(10);
}

/**
 * The behaviour every adapter must show, packaged as a vitest suite so that
 * third-party adapters run exactly the checks ours do: `runAdapterConformance('my adapter', {...})`.
 */
export function runAdapterConformance(name: string, options: ConformanceOptions): void {
  const batchTolerance = options.batchTolerance ?? 1e-5;
  const gradientTolerance = options.gradientTolerance ?? 2e-2;
  const step = options.finiteDifferenceStep ?? 1e-2;

  describe(`adapter conformance: ${name}`, () => {
    let adapter: ModelAdapter;
    let description: ModelDescription;
    let inputs: Tensor;

    beforeAll(async () => {
      adapter = await options.create();
      description = adapter.describe();
      inputs = options.sampleInputs ? await options.sampleInputs() : randomInputs(description, 6, 1);
    });

    afterAll(async () => {
      await adapter?.dispose();
    });

    it('describes itself consistently', () => {
      expect(typeof adapter.kind).toBe('string');
      expect(description.inputShape.length).toBeGreaterThan(0);
      expect(description.inputShape.every((d) => Number.isInteger(d) && d > 0)).toBe(true);
      expect(description.numClasses).toBeGreaterThanOrEqual(2);
      expect(description.valueRange[0]).toBeLessThan(description.valueRange[1]);
      expect(['NCHW', 'NHWC', 'flat']).toContain(description.layout);
      expect(['logits', 'probabilities']).toContain(description.outputKind);
      expect(description.runtime.length).toBeGreaterThan(0);
      if (description.classNames) expect(description.classNames).toHaveLength(description.numClasses);
      expect(inputs.shape.slice(1)).toEqual([...description.inputShape]);
      expect(inputs.shape[0]).toBeGreaterThanOrEqual(4);
    });

    it('returns [N, numClasses] probabilities that are finite, in [0, 1] and sum to 1', async () => {
      const probabilities = await adapter.predict(inputs);
      const rows = inputs.shape[0]!;
      expect(probabilities.shape).toEqual([rows, description.numClasses]);
      expect(probabilities.data).toBeInstanceOf(Float32Array);
      for (let r = 0; r < rows; r++) {
        let sum = 0;
        for (let c = 0; c < description.numClasses; c++) {
          const p = probabilities.data[r * description.numClasses + c]!;
          expect(Number.isFinite(p)).toBe(true);
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(1 + 1e-6);
          sum += p;
        }
        expect(Math.abs(sum - 1)).toBeLessThan(1e-4);
      }
    });

    it('gives a sample the same answer alone as inside a batch', async () => {
      const all = await adapter.predict(inputs);
      const n = description.numClasses;
      const rows = inputs.shape[0]!;
      for (const r of [0, rows - 1]) {
        const alone = await adapter.predict(sliceRows(inputs, r, r + 1));
        for (let c = 0; c < n; c++) {
          expect(Math.abs(alone.data[c]! - all.data[r * n + c]!)).toBeLessThanOrEqual(batchTolerance);
        }
      }
      const pair = await adapter.predict(sliceRows(inputs, 1, 3));
      for (let c = 0; c < 2 * n; c++) {
        expect(Math.abs(pair.data[c]! - all.data[n + c]!)).toBeLessThanOrEqual(batchTolerance);
      }
    });

    it('does not modify the caller’s input buffer', async () => {
      const copy = inputs.data.slice();
      await adapter.predict(inputs);
      expect(inputs.data).toEqual(copy);
    });

    it('rejects a batch of the wrong shape with a clear INPUT_SHAPE error', async () => {
      const wrong = { data: new Float32Array(sizeOf(description.inputShape) + 1), shape: [1, sizeOf(description.inputShape) + 1] };
      await expectModelSealError(adapter.predict(wrong), 'INPUT_SHAPE');
      const mismatched = { data: new Float32Array(3), shape: [1, ...description.inputShape] };
      await expectModelSealError(adapter.predict(mismatched), 'INPUT_SHAPE');
    });

    it.runIf(options.expectVjp === true)('provides exact gradients (vjp)', () => {
      expect(typeof adapter.vjp).toBe('function');
    });

    it('vjp (when provided) agrees with central finite differences, row by row in a batch', async () => {
      if (!adapter.vjp) return;
      const n = description.numClasses;
      const pair = sliceRows(inputs, 0, 2);
      const rowSize = sizeOf(description.inputShape);
      const random = new Random(7);
      const cotangent = Float32Array.from({ length: 2 * n }, () => random.gaussian());
      const { gradient, probabilities } = await adapter.vjp(pair, { data: cotangent, shape: [2, n] });
      expect(gradient.shape).toEqual(pair.shape);
      expect(probabilities.shape).toEqual([2, n]);
      const plain = await adapter.predict(pair);
      for (let i = 0; i < 2 * n; i++) {
        expect(Math.abs(plain.data[i]! - probabilities.data[i]!)).toBeLessThanOrEqual(batchTolerance);
      }
      for (let r = 0; r < 2; r++) {
        const x = pair.data.subarray(r * rowSize, (r + 1) * rowSize);
        const g = gradient.data.subarray(r * rowSize, (r + 1) * rowSize);
        const c = cotangent.subarray(r * n, (r + 1) * n);
        const gradientNorm = l2(g) || 1;
        for (let d = 0; d < 2; d++) {
          // One finite difference along a direction checks every coordinate at once. A purely
          // random direction is nearly orthogonal to the gradient in high dimensions (the
          // difference drowns in float32 noise), so mix in the claimed gradient's own direction.
          const randomPart = Float64Array.from({ length: rowSize }, () => random.gaussian());
          const randomNorm = l2(randomPart);
          const direction = Float32Array.from({ length: rowSize }, (_, i) => randomPart[i]! / randomNorm + g[i]! / gradientNorm);
          const norm = l2(direction);
          for (let i = 0; i < rowSize; i++) direction[i] = direction[i]! / norm;
          const objective = async (t: number): Promise<number> => {
            const moved = Float32Array.from({ length: rowSize }, (_, i) => x[i]! + t * direction[i]!);
            const p = await adapter.predict({ data: moved, shape: [1, ...description.inputShape] });
            let value = 0;
            for (let k = 0; k < n; k++) value += p.data[k]! * c[k]!;
            return value;
          };
          const numeric = ((await objective(step)) - (await objective(-step))) / (2 * step);
          let analytic = 0;
          for (let i = 0; i < rowSize; i++) analytic += g[i]! * direction[i]!;
          const scale = Math.max(Math.abs(analytic), Math.abs(numeric), 1e-6);
          expect(Math.abs(analytic - numeric) / scale, `sample ${r}, direction ${d}`).toBeLessThanOrEqual(gradientTolerance);
        }
      }
    });

    it.runIf(options.expectWeights === true)('exposes weights that can be read and written back', async () => {
      const weights = adapter.weights!;
      expect(weights).toBeDefined();
      const list = await weights.list();
      expect(list.length).toBeGreaterThan(0);
      const first = list[0]!;
      const values = await weights.read(first.name);
      expect(values.length).toBe(sizeOf(first.shape));
      const before = await adapter.predict(inputs);
      const scaled = values.map((v) => v * 0.5 + 0.01);
      await weights.write(first.name, scaled);
      const after = await adapter.predict(inputs);
      expect(after.data).not.toEqual(before.data);
      await weights.write(first.name, values);
      const restored = await adapter.predict(inputs);
      for (let i = 0; i < before.data.length; i++) {
        expect(Math.abs(restored.data[i]! - before.data[i]!)).toBeLessThanOrEqual(batchTolerance);
      }
      await expectModelSealError(weights.write(first.name, new Float32Array(values.length + 1)), 'INPUT_SHAPE');
    });

    it.runIf(options.expectFineTune === true)('fine-tunes in place, and writing the old weights back undoes it exactly', async () => {
      expect(adapter.fineTune).toBeDefined();
      const before = await adapter.predict(inputs);
      const n = adapter.describe().numClasses;
      // Labels the model disagrees with, so that every step has a real gradient.
      const labels = Int32Array.from({ length: before.shape[0]! }, (_, r) => {
        const row = Array.from(before.data.subarray(r * n, (r + 1) * n));
        return (row.indexOf(Math.max(...row)) + 1) % n;
      });
      const snapshot = await snapshotWeights(adapter.weights!);
      const result = await adapter.fineTune!({ images: inputs, labels, learningRate: 0.05, steps: 3, batchSize: 4, batchNorm: 'frozen', seed: 1 });
      expect(result.losses).toHaveLength(3);
      expect(result.weights.changed).toBeGreaterThan(0);
      const after = await adapter.predict(inputs);
      expect(Array.from(after.data)).not.toEqual(Array.from(before.data));
      for (const [name, values] of snapshot) await adapter.weights!.write(name, values);
      const restored = await adapter.predict(inputs);
      for (let i = 0; i < before.data.length; i++) {
        expect(Math.abs(restored.data[i]! - before.data[i]!)).toBeLessThanOrEqual(batchTolerance);
      }
      await expectModelSealError(adapter.fineTune!({ images: inputs, labels, learningRate: -1, steps: 1, batchSize: 4, batchNorm: 'frozen' }), 'INVALID_ARGUMENT');
    });

    it('refuses to predict after dispose', async () => {
      const disposable = await options.create();
      await disposable.dispose();
      await expectModelSealError(disposable.predict(sliceRows(inputs, 0, 1)), 'DISPOSED');
    });
  });
}
