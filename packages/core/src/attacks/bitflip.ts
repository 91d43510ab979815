import type { WeightAccess, WeightInfo } from '../adapter/contract.ts';
import { ModelSealError } from '../errors.ts';
import { Random } from '../util/random.ts';
import { ChangeTally, type AttackReport } from './report.ts';

export interface BitFlipOptions {
  /** Weight to hit; default a trainable weight drawn with probability proportional to its size. */
  readonly tensor?: string;
  /** Flat index into the tensor; default drawn by the seed. */
  readonly index?: number;
  /** 0 = least significant mantissa bit … 22 = top mantissa bit, 23…30 = exponent, 31 = sign; default an exponent or mantissa bit (0…30). */
  readonly bit?: number;
  readonly seed?: number;
  /**
   * A flip that yields NaN or ±Infinity makes every output non-finite, which
   * adapters reject loudly: that is a crash, not a silent tamper. Such flips are
   * refused unless allowed; randomly drawn positions that would give one are
   * redrawn instead.
   */
  readonly allowNonFinite?: boolean;
}

export interface BitFlipReport extends AttackReport {
  readonly tensor: string;
  readonly index: number;
  readonly bit: number;
  readonly oldValue: number;
  readonly newValue: number;
}

// Redraws only happen for weights in [1, 2) or (-2, -1] hit in bit 30, so a few tries suffice.
const MAX_DRAWS = 1000;

function flipped(value: number, bit: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value);
  view.setUint32(0, view.getUint32(0) ^ (1 << bit));
  return view.getFloat32(0);
}

function checkIndex(name: string, value: number | undefined, limit: number, what: string): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= 0 && value < limit)) {
    throw new ModelSealError('INVALID_ARGUMENT', `bit flip ${what} must be an integer in [0, ${limit - 1}], got ${value}${name ? ` (weight "${name}")` : ''}`);
  }
}

function drawWeighted(candidates: readonly WeightInfo[], random: Random): WeightInfo {
  const sizes = candidates.map((info) => info.shape.reduce((a, b) => a * b, 1));
  let pick = random.int(sizes.reduce((a, b) => a + b, 0));
  for (const [i, size] of sizes.entries()) {
    if (pick < size) return candidates[i]!;
    pick -= size;
  }
  return candidates.at(-1)!;
}

/** Flips one bit of one float32 weight, in place (a simulated hardware fault or Rowhammer attack). */
export async function flipBit(weights: WeightAccess, options: BitFlipOptions = {}): Promise<BitFlipReport> {
  checkIndex('', options.bit, 32, 'bit');
  const infos = await weights.list();
  let chosen: WeightInfo | undefined;
  if (options.tensor !== undefined) {
    chosen = infos.find((info) => info.name === options.tensor);
    if (!chosen) throw new ModelSealError('INVALID_ARGUMENT', `bit flip: the model has no float weight named "${options.tensor}"`);
  }
  const candidates = infos.filter((info) => info.trainable && info.shape.reduce((a, b) => a * b, 1) > 0);
  if (!chosen && candidates.length === 0) throw new ModelSealError('INVALID_ARGUMENT', 'bit flip: the model lists no trainable weights to flip');
  const random = new Random(options.seed ?? 0);
  const cache = new Map<string, Float32Array>();
  const read = async (name: string): Promise<Float32Array> => {
    let values = cache.get(name);
    if (!values) cache.set(name, (values = (await weights.read(name)).slice()));
    return values;
  };
  for (let draw = 0; draw < MAX_DRAWS; draw++) {
    const info = chosen ?? drawWeighted(candidates, random);
    const values = await read(info.name);
    checkIndex(info.name, options.index, values.length, 'index');
    const index = options.index ?? random.int(values.length);
    const bit = options.bit ?? random.int(31);
    const oldValue = values[index]!;
    const newValue = flipped(oldValue, bit);
    if (!Number.isFinite(newValue) && !options.allowNonFinite) {
      const everythingFixed = options.tensor !== undefined && options.index !== undefined && options.bit !== undefined;
      if (everythingFixed) {
        throw new ModelSealError(
          'INVALID_ARGUMENT',
          `flipping bit ${bit} of ${info.name}[${index}] (${oldValue}) gives ${newValue}; a non-finite weight makes the model ` +
            'output NaN/Infinity, which adapters reject outright, so it tests crash detection rather than tamper detection; pass allowNonFinite to do it anyway',
        );
      }
      continue;
    }
    const after = values.slice();
    after[index] = newValue;
    await weights.write(info.name, after);
    const tally = new ChangeTally();
    tally.add(values, after);
    return { ...tally.report(), tensor: info.name, index, bit, oldValue, newValue };
  }
  throw new ModelSealError('INVALID_ARGUMENT', `bit flip: no finite result in ${MAX_DRAWS} draws with the given tensor/index/bit; pass allowNonFinite`);
}
