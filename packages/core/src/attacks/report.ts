import type { WeightAccess, WeightInfo } from '../adapter/contract.ts';

/** What an attack did to a model's weights, in numbers a harness can tabulate. */
export interface AttackReport {
  /** Tensors the attack wrote. */
  readonly tensors: number;
  /** Values in those tensors (the attack's scope). */
  readonly parameters: number;
  /** Values whose float32 value differs afterwards. */
  readonly changed: number;
  /** Largest |w_after − w_before| over all values; 0 when nothing changed. */
  readonly maxAbsDelta: number;
}

/** Copies of the weights, taken before an attack so that its effect can be measured afterwards. */
export type WeightSnapshot = ReadonlyMap<string, Float32Array>;

export interface SnapshotOptions {
  /** Skip non-trainable state (batch-norm running statistics and the like). Default false. */
  readonly trainableOnly?: boolean;
}

/** The weights an attack may touch, in the adapter's order. */
export async function selectWeights(weights: WeightAccess, trainableOnly: boolean): Promise<WeightInfo[]> {
  return (await weights.list()).filter((info) => info.trainable || !trainableOnly);
}

export async function snapshotWeights(weights: WeightAccess, options: SnapshotOptions = {}): Promise<WeightSnapshot> {
  const snapshot = new Map<string, Float32Array>();
  for (const info of await selectWeights(weights, options.trainableOnly ?? false)) {
    // read() may hand out a view of live model state; the copy keeps the snapshot fixed.
    snapshot.set(info.name, (await weights.read(info.name)).slice());
  }
  return snapshot;
}

/** Accumulates an AttackReport one tensor at a time. */
export class ChangeTally {
  #tensors = 0;
  #parameters = 0;
  #changed = 0;
  #maxAbsDelta = 0;

  add(before: Float32Array, after: Float32Array): void {
    this.#tensors++;
    this.#parameters += before.length;
    for (let i = 0; i < before.length; i++) {
      const delta = Math.abs(after[i]! - before[i]!);
      if (after[i] !== before[i] && !(Number.isNaN(after[i]!) && Number.isNaN(before[i]!))) this.#changed++;
      // NaN deltas (a flip to NaN) must not hide behind Math.max's NaN propagation rules.
      if (delta > this.#maxAbsDelta || (Number.isNaN(delta) && !Number.isNaN(before[i]!))) this.#maxAbsDelta = delta;
    }
  }

  report(): AttackReport {
    return { tensors: this.#tensors, parameters: this.#parameters, changed: this.#changed, maxAbsDelta: this.#maxAbsDelta };
  }
}

/**
 * Compares the current weights with a snapshot. Tensors whose values are all
 * unchanged still count in `tensors`/`parameters`: the report covers what was
 * examined, and `changed` says what moved.
 */
export async function diffWeights(weights: WeightAccess, before: WeightSnapshot): Promise<AttackReport> {
  const tally = new ChangeTally();
  for (const [name, values] of before) tally.add(values, await weights.read(name));
  return tally.report();
}
