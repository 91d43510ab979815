import type { ModelAdapter } from '../adapter/contract.ts';
import { ModelSealError, throwIfAborted } from '../errors.ts';
import { getObjective, type Objective } from '../objectives/objectives.ts';
import { assertBatchShape, sizeOf, topTwo, type Tensor } from '../tensor/tensor.ts';
import { exactGradient, predictAll, type GradientSource } from './gradient.ts';
import { refineToBand, type Bracket } from './refine.ts';
import { junctionSearch } from './junction.ts';
import { junctionDistances } from './junctionDistance.ts';
import { resolveSettings, type FragilizeSettings } from './settings.ts';
import { keptRunnerUp, PROBE_BATCH_SIZE, probeTieTop, type TieTopDecision } from './tieTopProbe.ts';
import type { LabelledBatch } from '../attacks/trainingData.ts';

export interface SampleStats {
  readonly originalLabel: number;
  readonly label: number;
  /** Iterations this sample took part in before it stopped. */
  readonly iterations: number;
  readonly gradientEvaluations: number;
  readonly objective: number;
  readonly maxProbability: number;
  /** Top-1 minus top-2 probability of the kept iterate. */
  readonly margin: number;
  /** Whether the kept iterate is inside the target margin band. */
  readonly converged: boolean;
  /** Step size the sample ended with. */
  readonly finalEpsilon: number;
  /** Classes the sample was driven to tie (2 for the descent presets: a two-class boundary). */
  readonly tieClasses: number;
}

export interface FragilizeProgress {
  readonly iteration: number;
  readonly maxIterations: number;
  readonly total: number;
  readonly active: number;
  readonly converged: number;
  readonly meanObjective: number;
  readonly meanMargin: number;
  readonly gradientEvaluations: number;
  readonly queries: number;
  readonly elapsedMs: number;
}

export interface FragilizeOptions extends Partial<FragilizeSettings> {
  readonly adapter: ModelAdapter;
  /** Normal samples `[N, ...inputShape]`, in the model's layout and value range. */
  readonly inputs: Tensor;
  /** Defaults to exact gradients (the adapter's vjp). */
  readonly gradient?: GradientSource;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: FragilizeProgress) => void;
  /** Records the objective of every sample at every iteration (for plots; memory grows with N × iterations). */
  readonly recordTrace?: boolean;
  /** Normal labelled data (the model's layout) for the `probe` tie top's fine-tune; without it `probe` keeps the runner-up. */
  readonly probeData?: LabelledBatch;
}

export interface FragilizeResult {
  readonly inputs: Tensor;
  readonly labels: Int32Array;
  readonly probabilities: Tensor;
  readonly originalInputs: Tensor;
  readonly originalLabels: Int32Array;
  readonly samples: readonly SampleStats[];
  readonly settings: FragilizeSettings;
  readonly gradientSource: string;
  readonly iterations: number;
  readonly gradientEvaluations: number;
  readonly queries: number;
  readonly durationMs: number;
  /** `trace[t][i]`: objective of sample i's current iterate after iteration t (when recordTrace). */
  readonly trace?: readonly Float32Array[];
  /** How the `probe` tie top was settled (junction search with `tieTop: 'probe'` only). */
  readonly tieTop?: TieTopDecision;
}

interface SampleState {
  readonly index: number;
  x: Float32Array;
  p: Float32Array;
  g: Float32Array | undefined;
  value: number;
  epsilon: number;
  iterations: number;
  evaluations: number;
  done: boolean;
  best: { x: Float32Array; p: Float32Array; value: number; margin: number };
}

function marginOf(p: Float32Array): number {
  const { top1, top2 } = topTwo(p);
  return top1 - top2;
}

function rowsOf(t: Tensor, rowSize: number): Float32Array[] {
  const rows: Float32Array[] = [];
  for (let r = 0; r < (t.shape[0] ?? 0); r++) rows.push(t.data.slice(r * rowSize, (r + 1) * rowSize));
  return rows;
}

function stack(rows: readonly Float32Array[], rowShape: readonly number[]): Tensor {
  const rowSize = sizeOf(rowShape);
  const data = new Float32Array(rows.length * rowSize);
  rows.forEach((row, i) => data.set(row, i * rowSize));
  return { data, shape: [rows.length, ...rowShape] };
}

function cotangents(objective: Objective, probabilities: readonly Float32Array[], numClasses: number): Tensor {
  const data = new Float32Array(probabilities.length * numClasses);
  probabilities.forEach((p, i) => objective.gradient(p, data.subarray(i * numClasses, (i + 1) * numClasses)));
  return { data, shape: [probabilities.length, numClasses] };
}

function checkGradient(g: Float32Array): void {
  for (let i = 0; i < g.length; i++) {
    if (Number.isNaN(g[i]!)) throw new ModelSealError('NON_FINITE', 'the gradient contains NaN; the model or adapter is numerically broken');
  }
}

/** One step x − ε·d(g), clipped to the value range; d is sign(g) or g scaled to the sign step's length. */
function takeStep(x: Float32Array, g: Float32Array, epsilon: number, kind: 'sign' | 'l2', lo: number, hi: number): Float32Array {
  checkGradient(g);
  const out = new Float32Array(x.length);
  if (kind === 'sign') {
    for (let i = 0; i < x.length; i++) {
      const gi = g[i]!;
      const step = gi > 0 ? epsilon : gi < 0 ? -epsilon : 0;
      out[i] = Math.min(hi, Math.max(lo, x[i]! - step));
    }
    return out;
  }
  let norm = 0;
  for (let i = 0; i < g.length; i++) norm += g[i]! * g[i]!;
  norm = Math.sqrt(norm);
  const scale = norm > 0 ? (epsilon * Math.sqrt(g.length)) / norm : 0;
  for (let i = 0; i < x.length; i++) out[i] = Math.min(hi, Math.max(lo, x[i]! - scale * g[i]!));
  return out;
}

/**
 * Per-sample tie size. Sample by sample (`tieMeanPsnr` null): `tieClasses`, raised one class
 * at a time while the first-order distance to the larger tie stays within the `tiePsnr`
 * budget. Over the set (`tieMeanPsnr`): see allocateTieSizes. Either way a sample that is cheap
 * to tie spends image-quality headroom on sensitivity (a k-class tie flips with probability
 * ≈ (k−1)/k).
 */
async function chooseTieSizes(
  adapter: ModelAdapter,
  inputs: Tensor,
  settings: FragilizeSettings,
  gradient: GradientSource,
  signal: AbortSignal | undefined,
): Promise<{ sizes: number[]; gradientEvaluations: number; queries: number }> {
  const description = adapter.describe();
  const scored = await junctionDistances({ adapter, inputs, tieClasses: settings.maxTieClasses, gradient, ...(signal ? { signal } : {}) });
  const [lo, hi] = description.valueRange;
  // PSNR = 20·log10(range / RMSE) and ‖δ‖₂ = RMSE·√d.
  const scale = (hi - lo) * Math.sqrt(sizeOf(description.inputShape));
  const base = Math.min(settings.tieClasses, scored.tieClasses);
  const budget = scale * 10 ** (-settings.tiePsnr / 20);
  const perSample = scored.distances.map((d) => {
    let k = base;
    while (k < scored.tieClasses && d[k - 1]! <= budget) k++;
    return k;
  });
  if (settings.tieMeanPsnr === null) return { sizes: perSample, gradientEvaluations: scored.gradientEvaluations, queries: scored.queries };
  // distances[k − 2] is the distance to a k-class tie.
  const psnrs = scored.distances.map((row) => (k: number) => linearPsnr(scale, row[k - 2]!));
  // Never below what the per-sample rule spends: how far the search ends from its first-order
  // estimate differs between models (0.8 dB on the MNIST ONNX CNN, 1.3 on the TF.js one), so
  // the set-wide budget only redistributes where that rule is already cheaper than it.
  const perSampleMean = perSample.reduce((sum, k, i) => sum + psnrs[i]!(k), 0) / Math.max(1, perSample.length);
  const sizes = allocateTieSizes(psnrs, Math.min(settings.minTieClasses, base), scored.tieClasses, Math.max(settings.tieMeanPsnr, perSampleMean));
  return { sizes, gradientEvaluations: scored.gradientEvaluations, queries: scored.queries };
}

// A distance the linearization cannot reach counts as a change that leaves nothing of the image.
function linearPsnr(scale: number, distance: number): number {
  if (!Number.isFinite(distance)) return 0;
  return distance <= 0 ? 100 : Math.min(100, 20 * Math.log10(scale / distance));
}

/**
 * Shares tie sizes out over a set under a mean-PSNR budget: every sample starts at `min`
 * classes; then, greedily, the upgrade k → k+1 with the most expected flip share gained
 * (1/k − 1/(k+1)) per dB of PSNR lost is taken, as long as the set's mean PSNR stays at or above
 * `meanPsnr`. Measured on the MNIST ONNX CNN (first-order PSNR): the per-sample rule reaches
 * 25.69 dB with ties of 6-7 classes (expected flip share 83.5 %); this allocation, 5-8 classes
 * at the same mean, 84.6 %.
 */
export function allocateTieSizes(psnrs: readonly ((k: number) => number)[], min: number, max: number, meanPsnr: number): number[] {
  const sizes = psnrs.map(() => min);
  const current = psnrs.map((psnr) => psnr(min));
  let total = current.reduce((sum, v) => sum + v, 0);
  const floor = meanPsnr * psnrs.length;
  for (;;) {
    let best = -1;
    let bestRatio = -Infinity;
    let bestNext = 0;
    sizes.forEach((k, i) => {
      if (k >= max) return;
      const next = psnrs[i]!(k + 1);
      const loss = current[i]! - next;
      if (total - loss < floor) return;
      const ratio = (1 / k - 1 / (k + 1)) / Math.max(loss, 1e-9);
      if (ratio > bestRatio) {
        bestRatio = ratio;
        best = i;
        bestNext = next;
      }
    });
    if (best < 0) return sizes;
    total += bestNext - current[best]!;
    current[best] = bestNext;
    sizes[best]!++;
  }
}

/**
 * Turns normal samples into fragile ones (paper Algorithm 1, descent): every sample of
 * the set moves in one batch along −sign(∇ₓD(f(x))) inside the model's value range.
 * The default preset adapts each sample's step and stops it inside the margin band;
 * the `paper` preset runs the fixed-step loop exactly as published.
 */
export async function fragilize(options: FragilizeOptions): Promise<FragilizeResult> {
  const started = performance.now();
  const { adapter, inputs, signal, onProgress } = options;
  const settings = resolveSettings(options);
  const objective = getObjective(settings.objective);
  const description = adapter.describe();
  const count = assertBatchShape(inputs, description.inputShape, 'fragilize inputs');
  if (count === 0) throw new ModelSealError('INVALID_ARGUMENT', 'fragilize needs at least one sample');
  for (let i = 0; i < inputs.data.length; i++) {
    if (!Number.isFinite(inputs.data[i]!)) {
      throw new ModelSealError('NON_FINITE', `fragilize inputs: sample ${Math.floor(i / sizeOf(description.inputShape))} contains NaN or Infinity`);
    }
  }
  const gradient = options.gradient ?? exactGradient(adapter);
  const [lo, hi] = description.valueRange;
  const n = description.numClasses;
  const rowSize = sizeOf(description.inputShape);
  let queries = 0;
  let gradientEvaluations = 0;

  throwIfAborted(signal);
  const initial = await predictAll(adapter, inputs, signal);
  queries += count;
  const originalLabels = new Int32Array(count);
  const startRows = rowsOf(inputs, rowSize);
  const states: SampleState[] = rowsOf(initial, n).map((p, index) => {
    originalLabels[index] = topTwo(p).index;
    const value = objective.value(p);
    const x = startRows[index]!;
    return {
      index,
      x,
      p,
      g: undefined,
      value,
      epsilon: settings.epsilon,
      iterations: 0,
      evaluations: 0,
      done: false,
      best: { x, p, value, margin: marginOf(p) },
    };
  });

  const trace: Float32Array[] | undefined = options.recordTrace ? [] : undefined;
  const inBand = (margin: number): boolean => margin >= settings.minMargin && margin <= settings.targetMargin;
  const keep = (state: SampleState, x: Float32Array, p: Float32Array, value: number): void => {
    const margin = marginOf(p);
    // The kept iterate is the most fragile one (smallest top-1/top-2 margin) that benign
    // recomputation noise cannot flip; the objective only steers the search.
    if (margin >= settings.minMargin && margin < state.best.margin) state.best = { x, p, value, margin };
  };

  let iteration = 0;
  const report = (): void => {
    if (!onProgress) return;
    let sumValue = 0;
    let sumMargin = 0;
    let active = 0;
    let converged = 0;
    for (const s of states) {
      // The junction search ranks its kept iterates by distance, not by the objective.
      sumValue += objective.value(s.best.p);
      sumMargin += s.best.margin;
      if (!s.done) active++;
      if (inBand(s.best.margin)) converged++;
    }
    onProgress({
      iteration,
      maxIterations: settings.maxIterations,
      total: count,
      active,
      converged,
      meanObjective: sumValue / count,
      meanMargin: sumMargin / count,
      gradientEvaluations,
      queries,
      elapsedMs: performance.now() - started,
    });
  };
  report();

  let tieSizes: number[] | undefined;
  let tieTop: TieTopDecision | undefined;
  if (settings.method === 'junction') {
    // The junction search ranks iterates by their distance to the junction, not the objective.
    for (const state of states) state.best = { ...state.best, value: Infinity };
    const allocates = settings.tieMeanPsnr !== null && Math.min(settings.minTieClasses, n) < Math.min(settings.tieClasses, n);
    if (allocates || Math.min(settings.maxTieClasses, n) > Math.min(settings.tieClasses, n)) {
      const sized = await chooseTieSizes(adapter, inputs, settings, gradient, signal);
      tieSizes = sized.sizes;
      queries += sized.queries;
      gradientEvaluations += sized.gradientEvaluations;
      const perSample = sized.gradientEvaluations / count;
      for (const state of states) state.evaluations += perSample;
    }
    iteration = await junctionSearch({
      states,
      gradient,
      settings,
      description,
      ...(tieSizes ? { tieSizes } : {}),
      ...(signal ? { signal } : {}),
      predict: (batch) => predictAll(adapter, batch, signal),
      probeTop: async (points, ties) => {
        tieTop = options.probeData
          ? await probeTieTop({
              adapter,
              points,
              ties,
              data: options.probeData,
              learningRate: settings.probeLearningRate,
              steps: settings.probeSteps,
              batchSize: PROBE_BATCH_SIZE,
              seed: settings.seed,
              ...(signal ? { signal } : {}),
            })
          : keptRunnerUp('no training data was given for the probe fine-tune');
        return tieTop.chosen;
      },
      onIteration: (spent, evaluations) => {
        queries += spent;
        gradientEvaluations += evaluations;
        // The search does not descend the objective, but its value at each iterate still shows the margin closing.
        if (trace) trace.push(Float32Array.from(states, (s) => objective.value(s.p)));
        iteration++;
        report();
        iteration--;
      },
    });
  } else {
    // Gradients at the starting points (exact cotangents: we already have p).
    {
      const result = await gradient.compute(inputs, cotangents(objective, states.map((s) => s.p), n), signal);
      queries += result.queries;
      gradientEvaluations += count;
      const grads = rowsOf(result.gradient, rowSize);
      states.forEach((s, i) => {
        s.g = grads[i];
        s.evaluations++;
      });
    }

    while (iteration < settings.maxIterations) {
      throwIfAborted(signal);
      const active = states.filter((s) => !s.done);
      if (active.length === 0) break;
      iteration++;

      const sign = settings.direction === 'descent' ? 1 : -1;
      const candidates = active.map((s) => takeStep(s.x, s.g!, sign * s.epsilon, settings.step, lo, hi));
      const batch = stack(candidates, description.inputShape);
      let candidateP: Float32Array[];
      let cotangentP: Float32Array[];
      if (settings.cotangent === 'exact') {
        const probs = await predictAll(adapter, batch, signal);
        queries += active.length;
        candidateP = rowsOf(probs, n);
        cotangentP = candidateP;
      } else {
        candidateP = [];
        cotangentP = active.map((s) => s.p);
      }
      const result = await gradient.compute(batch, cotangents(objective, cotangentP, n), signal);
      queries += result.queries;
      gradientEvaluations += active.length;
      const grads = rowsOf(result.gradient, rowSize);
      if (settings.cotangent === 'lagged') candidateP = rowsOf(result.probabilities, n);

      const brackets: { state: SampleState; bracket: Bracket }[] = [];
      active.forEach((s, i) => {
        const p = candidateP[i]!;
        for (let c = 0; c < n; c++) {
          if (!Number.isFinite(p[c]!)) {
            throw new ModelSealError('NON_FINITE', `the model returned non-finite probabilities for sample ${s.index}`);
          }
        }
        const value = objective.value(p);
        if (settings.refine) {
          const labelA = topTwo(s.p).index;
          const labelB = topTwo(p).index;
          if (labelA !== labelB) brackets.push({ state: s, bracket: { from: s.x, to: candidates[i]!, labelA, labelB } });
        }
        s.iterations++;
        s.evaluations++;
        const improved = settings.direction === 'descent' ? value < s.value : value > s.value;
        const accepted = !settings.adaptiveStep || improved;
        if (accepted) {
          s.x = candidates[i]!;
          s.p = p;
          s.g = grads[i]!;
          s.value = value;
          keep(s, s.x, p, value);
        } else {
          s.epsilon *= settings.stepDecay;
        }
        if (settings.earlyStop && (inBand(s.best.margin) || s.epsilon < settings.minEpsilon)) s.done = true;
      });
      if (brackets.length > 0) {
        const refined = await refineToBand(adapter, brackets.map((b) => b.bracket), settings, signal);
        queries += refined.queries;
        refined.results.forEach((result, i) => {
          const state = brackets[i]!.state;
          if (result && result.margin < state.best.margin) {
            state.best = { x: result.x, p: result.p, value: objective.value(result.p), margin: result.margin };
          }
          if (settings.earlyStop && inBand(state.best.margin)) state.done = true;
        });
      }
      if (trace) trace.push(Float32Array.from(states, (s) => s.value));
      report();
    }
  }

  // Without early stopping (the paper's loop) the result is the last iterate, not the best one.
  const finalRows = states.map((s) => (settings.adaptiveStep ? s.best.x : s.x));
  const finalInputs = stack(finalRows, description.inputShape);
  const finalProbabilities = await predictAll(adapter, finalInputs, signal);
  queries += count;
  const finalP = rowsOf(finalProbabilities, n);
  const labels = new Int32Array(count);
  const samples: SampleStats[] = states.map((s, i) => {
    const p = finalP[i]!;
    const { top1, top2, index } = topTwo(p);
    labels[i] = index;
    return {
      originalLabel: originalLabels[i]!,
      label: index,
      iterations: s.iterations,
      gradientEvaluations: s.evaluations,
      objective: objective.value(p),
      maxProbability: top1,
      margin: top1 - top2,
      converged: inBand(top1 - top2),
      finalEpsilon: s.epsilon,
      tieClasses: settings.method === 'junction' ? Math.min(tieSizes?.[i] ?? settings.tieClasses, n) : 2,
    };
  });

  return {
    inputs: finalInputs,
    labels,
    probabilities: finalProbabilities,
    originalInputs: { data: inputs.data.slice(), shape: [...inputs.shape] },
    originalLabels,
    samples,
    settings,
    gradientSource: gradient.name,
    iterations: iteration,
    gradientEvaluations,
    queries,
    durationMs: performance.now() - started,
    ...(trace ? { trace } : {}),
    ...(settings.method === 'junction' && settings.tieTop === 'probe'
      ? { tieTop: tieTop ?? keptRunnerUp(`the search ended before iteration ${settings.probeIteration}`) }
      : {}),
  };
}


