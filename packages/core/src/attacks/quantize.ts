import type { WeightAccess, WeightInfo } from '../adapter/contract.ts';
import { ModelSealError } from '../errors.ts';
import { float32ToFloat16Bits, float16BitsToFloat32 } from './float16.ts';
import { ChangeTally, selectWeights, type AttackReport } from './report.ts';

export interface Float16RoundTripOptions {
  /**
   * Default false: a half-precision deployment converts every float tensor,
   * running statistics included.
   */
  readonly trainableOnly?: boolean;
  /**
   * Values beyond ±65504 become ±Infinity in float16, which breaks the model
   * outright instead of tampering with it subtly; such a round trip is refused
   * unless this is set.
   */
  readonly allowOverflow?: boolean;
}

export interface Float16RoundTripReport extends AttackReport {
  /** Finite values that became ±Infinity. */
  readonly overflowed: number;
  /** Non-zero values that became (signed) zero. */
  readonly flushedToZero: number;
}

export interface Int8RoundTripOptions {
  /** One scale per output channel instead of one per tensor. Default false. */
  readonly perChannel?: boolean;
  /**
   * Axis that indexes output channels, negative counting from the end. Default −1,
   * TF.js' layout (conv kernels [kh, kw, in, out], dense [in, out]); ONNX and
   * PyTorch put output channels first (0).
   */
  readonly channelAxis?: number;
  /** Default true: int8 schemes quantise weights and keep running statistics in float. */
  readonly trainableOnly?: boolean;
}

async function readAll(weights: WeightAccess, infos: readonly WeightInfo[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const info of infos) out.push((await weights.read(info.name)).slice());
  return out;
}

async function writeAll(weights: WeightAccess, infos: readonly WeightInfo[], before: Float32Array[], after: Float32Array[]): Promise<AttackReport> {
  const tally = new ChangeTally();
  for (const [i, info] of infos.entries()) {
    await weights.write(info.name, after[i]!);
    tally.add(before[i]!, after[i]!);
  }
  return tally.report();
}

/** Stores every weight as IEEE float16 and reads it back (round to nearest, ties to even), in place. */
export async function roundTripFloat16(weights: WeightAccess, options: Float16RoundTripOptions = {}): Promise<Float16RoundTripReport> {
  const infos = await selectWeights(weights, options.trainableOnly ?? false);
  const before = await readAll(weights, infos);
  let overflowed = 0;
  let flushedToZero = 0;
  let firstOverflow: string | undefined;
  const after = before.map((values, t) =>
    values.map((value) => {
      const rounded = float16BitsToFloat32(float32ToFloat16Bits(value));
      if (Number.isFinite(value) && !Number.isFinite(rounded)) {
        overflowed++;
        firstOverflow ??= `${infos[t]!.name} holds ${value}`;
      }
      if (value !== 0 && rounded === 0) flushedToZero++;
      return rounded;
    }),
  );
  if (overflowed > 0 && !options.allowOverflow) {
    throw new ModelSealError(
      'INVALID_ARGUMENT',
      `${overflowed} weight(s) exceed the float16 range ±65504 and would become Infinity (e.g. ${firstOverflow}); ` +
        'that breaks the model rather than tampering with it; pass allowOverflow to do it anyway',
    );
  }
  return { ...(await writeAll(weights, infos, before, after)), overflowed, flushedToZero };
}

/** Round half to even, as numpy and PyTorch's quantisers do. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * w ← round(w / s) · s with s = max|w| / 127 over one group: the values at
 * `outer` blocks of `inner` consecutive entries, `stride` apart from `start`
 * (a whole tensor is one block). An all-zero group stays zero.
 */
function quantizeGroup(values: Float32Array, out: Float32Array, start: number, inner: number, outer: number, stride: number): void {
  let max = 0;
  for (let o = 0; o < outer; o++) {
    for (let i = start + o * stride; i < start + o * stride + inner; i++) max = Math.max(max, Math.abs(values[i]!));
  }
  const scale = max / 127;
  for (let o = 0; o < outer; o++) {
    for (let i = start + o * stride; i < start + o * stride + inner; i++) {
      out[i] = max === 0 || !Number.isFinite(max) ? values[i]! : Math.max(-127, Math.min(127, roundHalfEven(values[i]! / scale))) * scale;
    }
  }
}

/**
 * Symmetric linear int8 quantisation and back, in place. Per channel, tensors of
 * rank < 2 (biases) keep one scale per tensor: they have no channel axis of
 * their own, and per-element scales would reproduce them exactly.
 */
export async function roundTripInt8(weights: WeightAccess, options: Int8RoundTripOptions = {}): Promise<AttackReport> {
  const axisOption = options.channelAxis ?? -1;
  if (!Number.isInteger(axisOption)) {
    throw new ModelSealError('INVALID_ARGUMENT', `int8 channelAxis must be an integer, got ${axisOption}`);
  }
  const infos = await selectWeights(weights, options.trainableOnly ?? true);
  const before = await readAll(weights, infos);
  const after = before.map((values, t) => {
    const out = new Float32Array(values.length);
    const shape = infos[t]!.shape;
    if (!options.perChannel || shape.length < 2) {
      quantizeGroup(values, out, 0, values.length, 1, 0);
      return out;
    }
    const axis = axisOption < 0 ? shape.length + axisOption : axisOption;
    if (axis < 0 || axis >= shape.length) {
      throw new ModelSealError('INVALID_ARGUMENT', `int8 channelAxis ${axisOption} is out of range for weight "${infos[t]!.name}" of rank ${shape.length}`);
    }
    const channels = shape[axis]!;
    const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const outer = values.length / (channels * inner);
    for (let c = 0; c < channels; c++) quantizeGroup(values, out, c * inner, inner, outer, channels * inner);
    return out;
  });
  return writeAll(weights, infos, before, after);
}
