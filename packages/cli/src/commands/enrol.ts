import { availableParallelism } from 'node:os';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  DEFAULT_ENROL_REPEATS,
  DEFAULT_MIN_TOLERANCE,
  DEFAULT_PROBABILITY_TOLERANCE,
  DEFAULT_SAFETY_FACTOR,
  enrol,
  measureBenignVariation,
  ModelSealError,
  readTriggerSetFile,
  recordedTolerance,
  writeTriggerSetFile,
  type AdapterRegistry,
  type BenignVariant,
  type BenignVariation,
  type ModelAdapter,
} from '@modelseal/core';
import { InvalidArgumentError } from 'commander';
import { createRegistry, openModel } from '../adapters.ts';
import { loadSigningKey } from '../options.ts';
import { EXIT } from '../ui/errors.ts';
import { createProgress } from '../ui/progress.ts';

/** Benign changes of the serving setup that enrolment can try. */
export const ENROL_VARIATIONS = ['batch', 'shuffle', 'threads', 'backend'] as const;
export type EnrolVariation = (typeof ENROL_VARIATIONS)[number];

/** Parses `--variants batch,shuffle,…` (commander argParser). */
export function parseVariations(value: string): EnrolVariation[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError(`--variants needs at least one of ${ENROL_VARIATIONS.join(', ')}`);
  for (const item of items) {
    if (!(ENROL_VARIATIONS as readonly string[]).includes(item)) {
      throw new InvalidArgumentError(`--variants: unknown variation "${item}" (choose from ${ENROL_VARIATIONS.join(', ')})`);
    }
  }
  return [...new Set(items)] as EnrolVariation[];
}

export interface StudyCommandOptions {
  readonly model: string;
  readonly triggers: string;
  readonly repeats?: number;
  /** An array, or the comma-separated text of `--variants`. */
  readonly variants?: readonly EnrolVariation[] | string;
  readonly seed?: number;
  readonly signingKeyFile?: string;
  readonly adapter?: string;
  readonly allowPrivate?: boolean;
  readonly plugin?: string[];
  readonly json: boolean;
}

export interface EnrolCommandOptions extends StudyCommandOptions {
  /** Required unless `dryRun`. */
  readonly out?: string;
  readonly safetyFactor?: number;
  readonly minTolerance?: number;
  readonly keep?: number;
  /** Measure and report, write nothing. */
  readonly dryRun?: boolean;
}

export interface VariantSet {
  readonly variants: BenignVariant[];
  /** Variations that do not apply to this model, with the reason. */
  readonly skipped: { readonly variation: EnrolVariation; readonly reason: string }[];
  /** Extra adapters opened for the variants (the caller disposes them). */
  readonly opened: ModelAdapter[];
}

type Log = (line: string) => void;

function backendOf(runtime: string): string | undefined {
  return /^tfjs [^(]*\((\w+)/.exec(runtime)?.[1];
}

/**
 * The benign variants for `adapter` (the model as opened from `location`): batch size 1
 * and the full batch, shuffled batch compositions, and for TF.js models the other of the
 * cpu/wasm backends, for ONNX models another thread count (each at batch 1 and full batch).
 */
export async function buildVariants(
  registry: AdapterRegistry,
  adapter: ModelAdapter,
  location: string,
  variations: readonly EnrolVariation[],
  log: Log,
): Promise<VariantSet> {
  const variants: BenignVariant[] = [];
  const skipped: VariantSet['skipped'] = [];
  const opened: ModelAdapter[] = [];
  const runtime = adapter.describe().runtime;
  if (variations.includes('batch')) {
    variants.push({ name: 'batch-1', adapter, batchSize: 1 }, { name: 'batch-full', adapter });
  }
  if (variations.includes('shuffle')) variants.push({ name: 'shuffled', adapter, shuffle: true });
  const reopen = async (name: string, overrides: Record<string, unknown>): Promise<void> => {
    const factory = registry.get(adapter.kind);
    const base = (factory.configFromLocation?.(location) ?? {}) as Record<string, unknown>;
    const other = await registry.create(adapter.kind, { ...base, ...overrides }, { log });
    opened.push(other);
    variants.push({ name: `${name}/batch-1`, adapter: other, batchSize: 1 }, { name: `${name}/batch-full`, adapter: other });
  };
  if (variations.includes('backend')) {
    if (adapter.kind !== 'tfjs') {
      skipped.push({ variation: 'backend', reason: `only TF.js models have a choice of backend (this is ${adapter.kind})` });
    } else {
      const current = backendOf(runtime);
      const alternative = current === 'cpu' ? 'wasm' : 'cpu';
      try {
        await reopen(`backend-${alternative}`, { backend: alternative });
      } catch (error) {
        if (!(error instanceof ModelSealError)) throw error;
        skipped.push({ variation: 'backend', reason: `the ${alternative} backend is not available: ${error.message}` });
      }
    }
  }
  if (variations.includes('threads')) {
    if (adapter.kind !== 'onnx') {
      skipped.push({ variation: 'threads', reason: `only ONNX models have a thread setting (this is ${adapter.kind})` });
    } else {
      const threads = availableParallelism() > 1 ? 1 : 2;
      await reopen(`threads-${threads}`, { threads });
    }
  }
  if (variants.length === 0) {
    throw new ModelSealError('INVALID_ARGUMENT', `none of the variations ${variations.join(', ')} applies to this ${adapter.kind} model`);
  }
  return { variants, skipped, opened };
}

function variationsOf(value: StudyCommandOptions['variants']): EnrolVariation[] {
  if (value === undefined) return [...ENROL_VARIATIONS];
  if (typeof value === 'string') {
    try {
      return parseVariations(value);
    } catch (error) {
      throw new ModelSealError('INVALID_ARGUMENT', (error as Error).message);
    }
  }
  return [...value];
}

export interface VariantFalseAlarms {
  readonly name: string;
  readonly runtime: string;
  readonly labelFlips: number;
  readonly flippedSamples: readonly number[];
  readonly maxDelta: number;
  /** Samples whose |Δp| exceeded the tolerance (probability mode would report them). */
  readonly overTolerance: number;
  /** Would label-mode verification have called the unmodified model tampered? */
  readonly labelFalseAlarm: boolean;
  /** Would probability-mode verification (at `tolerance`) have called it tampered? */
  readonly probabilityFalseAlarm: boolean;
  readonly queries: number;
  readonly requests: number;
}

/** Per variant: what verification of the unmodified model would have concluded. */
export function falseAlarmsOf(variation: BenignVariation, tolerance: number, samples?: readonly number[]): VariantFalseAlarms[] {
  const chosen = samples ?? Array.from({ length: variation.total }, (_, i) => i);
  return variation.variants.map((v) => {
    const inSet = new Set(chosen);
    const flipped = v.labelFlips.filter((i) => inSet.has(i));
    let maxDelta = 0;
    let overTolerance = 0;
    for (const i of chosen) {
      const d = v.perSampleMaxDelta[i]!;
      maxDelta = Math.max(maxDelta, d);
      if (d > tolerance) overTolerance++;
    }
    return {
      name: v.name,
      runtime: v.runtime,
      labelFlips: flipped.length,
      flippedSamples: flipped,
      maxDelta,
      overTolerance,
      labelFalseAlarm: flipped.length > 0,
      probabilityFalseAlarm: flipped.length > 0 || overTolerance > 0,
      queries: v.queries,
      requests: v.requests,
    };
  });
}

async function openEverything(options: StudyCommandOptions, log: Log) {
  const signingKey = loadSigningKey(options.signingKeyFile);
  const decoded = await readTriggerSetFile(options.triggers, { signingKey });
  if (decoded.signature === 'present-unchecked') {
    log('warning: the trigger set is signed but no signing key was given, so its signature was not checked');
  }
  const registry = await createRegistry(options.plugin ?? []);
  const adapter = await openModel(registry, options.model, {
    log,
    allowPrivate: options.allowPrivate ?? false,
    ...(options.adapter ? { adapterKind: options.adapter } : {}),
  });
  const set = decoded.triggerSet;
  const fingerprint = adapter.describe().fingerprint;
  if (set.metadata.modelFingerprint !== '' && fingerprint !== undefined && fingerprint !== set.metadata.modelFingerprint) {
    log('warning: the model file differs from the one the trigger set was made for; unstable answers may be real changes');
  }
  return { signingKey, decoded, set, registry, adapter };
}

function progressFor(json: boolean, label: string) {
  const progress = createProgress({ json });
  let started = false;
  return {
    onProgress: (done: number, total: number, variant: string) => {
      if (!started) {
        progress.start(total, label);
        started = true;
      }
      progress.update(done, variant);
    },
    stop: () => progress.stop(),
  };
}

function formatVariantTable(rows: readonly VariantFalseAlarms[], tolerance: number): string[] {
  const width = Math.max(8, ...rows.map((r) => r.name.length)) + 2;
  const runtimeWidth = Math.max(8, ...rows.map((r) => r.runtime.length)) + 2;
  return [
    `  ${'variant'.padEnd(width)}${'runtime'.padEnd(runtimeWidth)}${'label flips'.padEnd(13)}${'max |Δp|'.padEnd(11)}false alarm (label / probability at ${tolerance.toExponential(1)})`,
    ...rows.map(
      (r) =>
        `  ${r.name.padEnd(width)}${r.runtime.padEnd(runtimeWidth)}${String(r.labelFlips).padEnd(13)}${r.maxDelta.toExponential(2).padEnd(11)}${r.labelFalseAlarm ? 'YES' : 'no'} / ${r.probabilityFalseAlarm ? 'YES' : 'no'}`,
    ),
  ];
}

export interface FalseAlarmStudy {
  readonly model: string;
  readonly triggers: string;
  readonly samples: number;
  readonly repeats: number;
  readonly tolerance: number;
  readonly noiseFloor: number;
  readonly labelFlips: readonly number[];
  readonly falseAlarms: { readonly label: number; readonly probability: number };
  readonly variants: readonly VariantFalseAlarms[];
  readonly skipped: VariantSet['skipped'];
  readonly durationMs: number;
}

/**
 * Runs the unmodified model on a trigger set under benign changes and reports, per
 * change, label flips, the largest probability change, and whether label- or
 * probability-mode verification (at the set's recorded tolerance) would have raised a
 * false alarm. Writes nothing. Prints text or one JSON object; exit status 0.
 */
export async function runFalseAlarmStudy(options: StudyCommandOptions): Promise<{ code: number; study: FalseAlarmStudy }> {
  const log: Log = (line) => {
    if (!options.json) process.stderr.write(`${line}\n`);
  };
  const { set, registry, adapter } = await openEverything(options, log);
  let opened: ModelAdapter[] = [];
  try {
    const built = await buildVariants(registry, adapter, options.model, variationsOf(options.variants), log);
    opened = built.opened;
    const progress = progressFor(options.json, 'false alarms');
    const variation = await measureBenignVariation({
      variants: built.variants,
      inputs: set.inputs,
      labels: set.labels,
      probabilities: set.probabilities,
      repeats: options.repeats ?? DEFAULT_ENROL_REPEATS,
      seed: options.seed ?? 0,
      onProgress: progress.onProgress,
    });
    progress.stop();
    const tolerance = recordedTolerance(set.metadata.extra) ?? DEFAULT_PROBABILITY_TOLERANCE;
    const rows = falseAlarmsOf(variation, tolerance);
    const study: FalseAlarmStudy = {
      model: options.model,
      triggers: options.triggers,
      samples: variation.total,
      repeats: variation.repeats,
      tolerance,
      noiseFloor: variation.maxDelta,
      labelFlips: variation.labelFlips,
      falseAlarms: { label: rows.filter((r) => r.labelFalseAlarm).length, probability: rows.filter((r) => r.probabilityFalseAlarm).length },
      variants: rows,
      skipped: built.skipped,
      durationMs: Math.round(variation.durationMs),
    };
    if (options.json) {
      process.stdout.write(`${JSON.stringify(study)}\n`);
    } else {
      const none = study.falseAlarms.label === 0 && study.falseAlarms.probability === 0;
      process.stdout.write(
        [
          `${none ? 'no false alarms' : `FALSE ALARMS in ${study.falseAlarms.label} (label) / ${study.falseAlarms.probability} (probability) of ${rows.length} benign variants`}: ${study.samples} samples × ${study.repeats} repeats per variant, unmodified model`,
          `  largest benign |Δp| ${study.noiseFloor.toExponential(2)}; probability tolerance ${tolerance.toExponential(2)}${typeof set.metadata.extra.probabilityTolerance === 'number' ? ' (recorded at enrolment)' : ' (default: the set was not enrolled)'}`,
          ...formatVariantTable(rows, tolerance),
          ...built.skipped.map((s) => `  skipped ${s.variation}: ${s.reason}`),
        ].join('\n') + '\n',
      );
    }
    return { code: EXIT.ok, study };
  } finally {
    for (const other of opened) await other.dispose();
    await adapter.dispose();
  }
}

/**
 * `modelseal enrol`: queries the deployed model with a trigger set under benign changes,
 * drops the samples whose answer is unstable, records the noise floor and the
 * probability-mode tolerance derived from it, and writes the enrolled set (signed when a
 * key is given). `dryRun` reports what it would write.
 */
export async function runEnrol(options: EnrolCommandOptions): Promise<number> {
  const log: Log = (line) => {
    if (!options.json) process.stderr.write(`${line}\n`);
  };
  if (!options.dryRun && !options.out) throw new ModelSealError('INVALID_ARGUMENT', 'enrol needs --out (or --dry-run)');
  const variations = variationsOf(options.variants);
  const { signingKey, decoded, set, registry, adapter } = await openEverything(options, log);
  let opened: ModelAdapter[] = [];
  try {
    const built = await buildVariants(registry, adapter, options.model, variations, log);
    opened = built.opened;
    const progress = progressFor(options.json, 'enrol');
    const result = await enrol({
      triggerSet: set,
      variants: built.variants,
      repeats: options.repeats ?? DEFAULT_ENROL_REPEATS,
      seed: options.seed ?? 0,
      safetyFactor: options.safetyFactor ?? DEFAULT_SAFETY_FACTOR,
      minTolerance: options.minTolerance ?? DEFAULT_MIN_TOLERANCE,
      ...(options.keep !== undefined ? { keep: options.keep } : {}),
      onProgress: progress.onProgress,
    });
    progress.stop();
    const before = falseAlarmsOf(result.variation, result.probabilityTolerance);
    const after = falseAlarmsOf(result.variation, result.probabilityTolerance, result.kept);
    const written = !options.dryRun;
    if (written) {
      const out = options.out!;
      await mkdir(dirname(out), { recursive: true });
      await writeTriggerSetFile(out, result.triggerSet!, { signingKey });
      if (signingKey === undefined && decoded.signature !== 'absent') {
        log('warning: the input trigger set was signed but no signing key was given, so the enrolled set is not signed');
      }
    }
    const summary = {
      ...(written ? { out: options.out } : { dryRun: true }),
      model: options.model,
      triggers: options.triggers,
      runtime: adapter.describe().runtime,
      samplesBefore: result.variation.total,
      samplesKept: result.kept.length,
      samplesDropped: result.dropped.length,
      dropped: result.dropped,
      surplus: result.surplus.length,
      repeats: result.variation.repeats,
      noiseFloor: result.noiseFloor,
      probabilityTolerance: result.probabilityTolerance,
      safetyFactor: options.safetyFactor ?? DEFAULT_SAFETY_FACTOR,
      variants: before,
      afterEnrolment: after,
      skipped: built.skipped,
      signed: written && signingKey !== undefined,
      durationMs: Math.round(result.variation.durationMs),
    };
    if (options.json) {
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    } else {
      const reasons = { 'label-flip': 'label flip', margin: '|Δp| ≥ margin/2' } as const;
      const shown = result.dropped.slice(0, 10).map((d) => `#${d.index} (${reasons[d.reason]})`);
      const alarms = after.filter((r) => r.labelFalseAlarm || r.probabilityFalseAlarm).length;
      process.stdout.write(
        [
          written
            ? `wrote ${options.out}: kept ${result.kept.length} of ${result.variation.total} samples${summary.signed ? ' (signed)' : ''}`
            : `dry run (nothing written): would keep ${result.kept.length} of ${result.variation.total} samples`,
          `  dropped ${result.dropped.length} unstable sample(s)${shown.length > 0 ? `: ${shown.join(', ')}${result.dropped.length > 10 ? ', …' : ''}` : ''}${result.surplus.length > 0 ? `; left out ${result.surplus.length} stable ones (--keep)` : ''}`,
          `  noise floor ${result.noiseFloor.toExponential(2)} (largest benign |Δp|) → probability tolerance ${result.probabilityTolerance.toExponential(2)}`,
          `  ${result.variation.repeats} repeats per variant; on the full set:`,
          ...formatVariantTable(before, result.probabilityTolerance),
          `  false alarms on the kept samples: ${alarms === 0 ? 'none' : `${alarms} variant(s)`}`,
          ...built.skipped.map((s) => `  skipped ${s.variation}: ${s.reason}`),
        ].join('\n') + '\n',
      );
    }
    return EXIT.ok;
  } finally {
    for (const other of opened) await other.dispose();
    await adapter.dispose();
  }
}
