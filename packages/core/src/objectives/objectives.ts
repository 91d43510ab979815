import { ModelSealError } from '../errors.ts';

/**
 * An objective scores how "decided" a probability vector is; fragilization
 * descends it so the prediction moves onto the decision boundary.
 * `gradient` writes ∂D/∂p, the cotangent that adapters pull back through the model.
 */
export interface Objective {
  readonly name: ObjectiveName;
  readonly description: string;
  value(p: ArrayLike<number>): number;
  gradient(p: ArrayLike<number>, out: Float32Array): void;
}

export const OBJECTIVE_NAMES = ['eq3', 'variance', 'log-variance', 'margin', 'logit-margin'] as const;
export type ObjectiveName = (typeof OBJECTIVE_NAMES)[number];

/** Paper eq. 2-3: D(p) = Σ (p_i − 1/n)² · p_i, the probability-weighted variance. */
const eq3: Objective = {
  name: 'eq3',
  description: 'paper eq. 3: probability-weighted variance Σ (p_i − 1/n)² p_i',
  value(p) {
    const n = p.length;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const d = p[i]! - 1 / n;
      sum += d * d * p[i]!;
    }
    return sum;
  },
  gradient(p, out) {
    const n = p.length;
    for (let i = 0; i < n; i++) {
      const d = p[i]! - 1 / n;
      out[i] = 2 * d * p[i]! + d * d;
    }
  },
};

/**
 * The authors' code: plain (population) variance of p. The mean's own derivative
 * terms cancel because Σ (p_i − mean) = 0.
 */
const variance: Objective = {
  name: 'variance',
  description: "the authors' code: plain variance of the probability vector",
  value(p) {
    const n = p.length;
    let mean = 0;
    for (let i = 0; i < n; i++) mean += p[i]!;
    mean /= n;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += (p[i]! - mean) ** 2;
    return sum / n;
  },
  gradient(p, out) {
    const n = p.length;
    let mean = 0;
    for (let i = 0; i < n; i++) mean += p[i]!;
    mean /= n;
    for (let i = 0; i < n; i++) out[i] = (2 / n) * (p[i]! - mean);
  },
};

// Below this, log p is dominated by float32 rounding of the softmax; clamping keeps the gradient finite.
const LOG_FLOOR = 1e-30;

/** log p_i minus its mean over the classes. */
function centredLogs(p: ArrayLike<number>): Float64Array {
  const n = p.length;
  const logs = Float64Array.from({ length: n }, (_, i) => Math.log(Math.max(p[i]!, LOG_FLOOR)));
  const mean = logs.reduce((sum, v) => sum + v, 0) / n;
  return logs.map((v) => v - mean);
}

/**
 * ModelSeal's objective: variance of log p. Unlike eq. 3 it keeps pulling up the
 * classes that are far below the top two, so samples reach near-uniform predictions
 * instead of stalling on a two-class tie (measured in DESIGN.md).
 */
const logVariance: Objective = {
  name: 'log-variance',
  description: 'variance of the log-probabilities (reaches near-uniform predictions)',
  value(p) {
    const centred = centredLogs(p);
    let sum = 0;
    for (const d of centred) sum += d * d;
    return sum / p.length;
  },
  gradient(p, out) {
    const n = p.length;
    const centred = centredLogs(p);
    for (let i = 0; i < n; i++) out[i] = ((2 / n) * centred[i]!) / Math.max(p[i]!, LOG_FLOOR);
  },
};

/**
 * Top-1 minus top-2 probability: descending it walks the shortest way to the nearest
 * decision boundary, like a minimal adversarial perturbation, so image quality stays high.
 */
const margin: Objective = {
  name: 'margin',
  description: 'top-1 minus top-2 probability (shortest way to the boundary)',
  value(p) {
    const [first, second] = topTwoIndices(p);
    return p[first]! - p[second]!;
  },
  gradient(p, out) {
    const [first, second] = topTwoIndices(p);
    out.fill(0);
    out[first] = 1;
    out[second] = -1;
  },
};

function topTwoIndices(p: ArrayLike<number>): [number, number] {
  let first = 0;
  let second = -1;
  for (let i = 1; i < p.length; i++) {
    if (p[i]! > p[first]!) {
      second = first;
      first = i;
    } else if (second < 0 || p[i]! > p[second]!) {
      second = i;
    }
  }
  return [first, second < 0 ? (first === 0 ? 1 : 0) : second];
}

/**
 * log p₁ − log p₂ = z₁ − z₂, the margin in logit space. Its gradient does not vanish
 * when softmax saturates (p₁ = 1 in float32), where every probability-space objective's
 * gradient rounds to zero and the sample cannot move.
 */
const logitMargin: Objective = {
  name: 'logit-margin',
  description: 'log p₁ − log p₂, the logit margin (does not saturate on confident samples)',
  value(p) {
    const [first, second] = topTwoIndices(p);
    return Math.log(Math.max(p[first]!, LOG_FLOOR)) - Math.log(Math.max(p[second]!, LOG_FLOOR));
  },
  gradient(p, out) {
    const [first, second] = topTwoIndices(p);
    out.fill(0);
    out[first] = 1 / Math.max(p[first]!, LOG_FLOOR);
    out[second] = -1 / Math.max(p[second]!, LOG_FLOOR);
  },
};

const OBJECTIVES: Record<ObjectiveName, Objective> = { eq3, variance, 'log-variance': logVariance, margin, 'logit-margin': logitMargin };

export function getObjective(name: string): Objective {
  const objective = OBJECTIVES[name as ObjectiveName];
  if (!objective) {
    throw new ModelSealError(
      'INVALID_ARGUMENT',
      `unknown objective "${name}" (choose one of: ${OBJECTIVE_NAMES.join(', ')})`,
    );
  }
  return objective;
}
