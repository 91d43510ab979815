import type { WeightAccess } from '../adapter/contract.ts';
import { ModelSealError } from '../errors.ts';
import { Random } from '../util/random.ts';
import { ChangeTally } from './report.ts';

export interface NoiseOptions {
  /** Standard deviation of the Gaussian noise added to every parameter. */
  readonly std: number;
  readonly seed?: number;
  /** Also perturb non-trainable state such as batch-norm running statistics (the paper perturbs parameters only). */
  readonly includeNonTrainable?: boolean;
}

export interface NoiseReport {
  readonly tensors: number;
  /** Values perturbed; see `changed` for those whose float32 value actually moved. */
  readonly parameters: number;
  readonly changed: number;
  readonly maxAbsDelta: number;
}

/** Paper §4 attack: w ← w + N(0, std²) on every parameter, in place. */
export async function addGaussianNoise(weights: WeightAccess, options: NoiseOptions): Promise<NoiseReport> {
  if (!(options.std > 0) || !Number.isFinite(options.std)) {
    throw new ModelSealError('INVALID_ARGUMENT', `noise std must be a positive number, got ${options.std}`);
  }
  const random = new Random(options.seed ?? 0);
  const tally = new ChangeTally();
  for (const info of await weights.list()) {
    if (!info.trainable && !options.includeNonTrainable) continue;
    const before = (await weights.read(info.name)).slice();
    const values = before.slice();
    for (let i = 0; i < values.length; i++) values[i] = values[i]! + options.std * random.gaussian();
    await weights.write(info.name, values);
    tally.add(before, values);
  }
  return tally.report();
}
