import { isAbsolute, resolve } from 'node:path';
import { presetSettings, psnrBatch, ssimBatch, type ModelAdapter, type ModelDescription, type TieTopDecision } from '@modelseal/core';
import { fragilizeFromDataset, loadDataset, pickTriggerCandidates, toModelBatch, triggerSelectionFor, type ImageSet } from '@modelseal/datasets';
import { icip2022Samples, nonFragileSamples, randomNoiseSamples, type TriggerSamples } from '../baselines/index.ts';
import { openModel as defaultOpenModel } from '../models.ts';
import { attackSettings, type AttackSetting, type MethodName, type OursSettings, type StudyConfig } from './config.ts';
import { checkpointSteps } from './fineTune.ts';
import { tamperAndVerify } from './tamper.ts';
import { traceFragilization, type FragilizationTrace } from './trace.ts';

export interface StudyProgress {
  readonly done: number;
  readonly total: number;
  /** What is running now, e.g. "seed 1: icip2022 step 40/300". */
  readonly detail: string;
}

export interface MethodSummary {
  readonly method: MethodName;
  /** Trigger samples per seed (the non-fragile baseline uses the whole correctly classified test set). */
  readonly samples: number;
  /** Mean over samples and seeds against the natural images the samples start from; null without such images. */
  readonly psnr: number | null;
  readonly ssim: number | null;
  readonly msPerSample: number;
  readonly gradientEvaluationsPerSample: number;
  /** Samples per seed that ended inside their margin band, and how many of those are spares swapped in; null for baselines. */
  readonly inBand: number | null;
  readonly replaced: number | null;
  /** Seed by seed, how the `probe` tie top was settled; empty when no probe ran. */
  readonly tieTops: TieTopDecision[];
}

export interface CellResult {
  readonly method: MethodName;
  readonly attack: AttackSetting['kind'];
  readonly value: number | null;
  readonly variant: string | null;
  /** ChangeRate (paper eq. 5) averaged over seeds, as a fraction. */
  readonly changeRate: number;
  readonly perSeed: number[];
  /** Every tampered copy's ChangeRate, seed by seed (attackDraws per seed for noise and bitflip, else one). */
  readonly perDraw: number[];
  /** Tampered copies on which at least one label changed, of perDraw.length. */
  readonly detectedDraws: number;
  /** Seeds in which at least one label changed, i.e. tampering was detected. */
  readonly detectedSeeds: number;
  /** Samples, summed over seeds, for which the tampered model returned NaN/Inf (counted as changed). */
  readonly nonFiniteSamples: number;
}

/** ChangeRate of one method along a fine-tuning run, averaged over seeds (figure 9). */
export interface FineTuneCurve {
  readonly method: MethodName;
  readonly learningRate: number;
  readonly batchNorm: 'frozen' | 'update';
  readonly steps: number[];
  readonly changeRate: number[];
}

export interface StudyResult {
  readonly model: string;
  /** The config's overrides of the default preset for the "ours" rows, if any. */
  readonly ours?: OursSettings;
  readonly runtime: string;
  readonly dataset: string;
  readonly seeds: number[];
  readonly count: number;
  readonly methods: MethodSummary[];
  readonly columns: { attack: AttackSetting['kind']; value: number | null; variant: string | null }[];
  readonly cells: CellResult[];
  readonly traces: { method: 'ours' | 'paper'; trace: FragilizationTrace }[];
  readonly curves: FineTuneCurve[];
  /** How well each backdoor setting took (mean over seeds), so a 0 % ChangeRate cannot hide a failed attack. */
  readonly backdoors: { learningRate: number; attackSuccessRate: number; cleanAccuracy: number }[];
  readonly durationMs: number;
}

export interface RunStudyOptions {
  /** Folder the config's relative paths start from. */
  readonly baseDir?: string;
  /** What results name the model by, when not the config's path (e.g. a path as the user typed it). */
  readonly modelLabel?: string;
  readonly onProgress?: (progress: StudyProgress) => void;
  /** Injected by tests to count how often fresh copies are opened. */
  readonly openModel?: (location: string) => Promise<ModelAdapter>;
}

interface MethodRun {
  readonly samples: TriggerSamples;
  readonly psnr: number | null;
  readonly ssim: number | null;
  readonly inBand?: number;
  readonly replaced?: number;
  readonly tieTop?: TieTopDecision;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  map.set(key, [...(map.get(key) ?? []), value]);
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);
}

// Seeds of a cell's later tampered copies: far apart so that another study seed never reuses one.
const DRAW_SEED_STRIDE = 1_000_003;

/** Tampered copies per seed: only the randomised weight attacks draw more than one. */
function drawsFor(setting: AttackSetting, attackDraws: number): number {
  return setting.kind === 'noise' || setting.kind === 'bitflip' ? attackDraws : 1;
}

function meanOrNull(values: readonly (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return present.length === 0 ? null : mean(present);
}

async function makeSamples(
  method: MethodName,
  context: { adapter: ModelAdapter; test: ImageSet; train: ImageSet; config: StudyConfig; seed: number; nonFragile: () => Promise<TriggerSamples>; step: (detail: string) => void },
): Promise<MethodRun> {
  const { adapter, test, train, config, seed } = context;
  const description = adapter.describe();
  switch (method) {
    case 'non-fragile':
      return { samples: await context.nonFragile(), psnr: null, ssim: null };
    case 'random':
      return { samples: await randomNoiseSamples(adapter, { count: config.count, seed }), psnr: null, ssim: null };
    case 'icip2022': {
      const samples = await icip2022Samples(adapter, {
        count: config.count,
        seed,
        ...(config.icip2022?.maxSteps ? { maxSteps: config.icip2022.maxSteps } : {}),
        ...(config.icip2022?.lambda ? { lambda: config.icip2022.lambda } : {}),
        onStep: (step, max, agreement) => context.step(`icip2022 step ${step}/${max}, key agreement ${(agreement * 100).toFixed(0)} %`),
      });
      return { samples, psnr: null, ssim: null };
    }
    case 'ours':
    case 'boundary':
    case 'junction':
    case 'paper': {
      const preset = method === 'ours' ? 'default' : method;
      const started = performance.now();
      const { result, candidates, replaced } = await fragilizeFromDataset(adapter, test, {
        count: config.count,
        seed,
        preset,
        ...(method === 'paper' && config.paperIterations ? { maxIterations: config.paperIterations } : {}),
        ...(method === 'ours' && config.ours?.tieTop ? { tieTop: config.ours.tieTop } : {}),
        probeImages: train,
        onProgress: (p, { round, replacing }) =>
          context.step(round === 0 ? `${method} iteration ${p.iteration}/${p.maxIterations}` : `${method}: replacing ${replacing} samples outside the band, iteration ${p.iteration}/${p.maxIterations}`),
      });
      // Choosing candidates by junction distance costs gradients and time: count them with the method.
      const durationMs = candidates.selectionGradientEvaluations > 0 ? performance.now() - started : result.durationMs;
      return {
        samples: {
          inputs: result.inputs,
          labels: result.labels,
          originals: result.originalInputs,
          gradientEvaluations: result.gradientEvaluations + candidates.selectionGradientEvaluations,
          durationMs,
        },
        psnr: psnrBatch(result.originalInputs, result.inputs, { dataRange: rangeOf(description) }).mean,
        ssim: ssimBatch(result.originalInputs, result.inputs, { dataRange: rangeOf(description), layout: description.layout }).mean,
        inBand: result.samples.filter((sample) => sample.converged).length,
        replaced,
        ...(result.tieTop ? { tieTop: result.tieTop } : {}),
      };
    }
  }
}

function rangeOf(description: ModelDescription): number {
  return description.valueRange[1] - description.valueRange[0];
}

/**
 * For every seed, makes each method's trigger samples on the intact model, then for every
 * attack setting re-opens the model, tampers with it (seeded by the study seed, so all
 * methods face the same tampered copy) and verifies every method's samples against it.
 * Each `done` unit of progress is one method's samples, one attack setting or one trace.
 */
export async function runStudy(config: StudyConfig, options: RunStudyOptions = {}): Promise<StudyResult> {
  const started = performance.now();
  const open = options.openModel ?? defaultOpenModel;
  const baseDir = options.baseDir ?? process.cwd();
  const modelPath = isAbsolute(config.model) ? config.model : resolve(baseDir, config.model);
  const settings = config.attacks.flatMap(attackSettings);
  const methods = [...new Set(config.methods)];
  const traced = methods.filter((m): m is 'ours' | 'paper' => (m === 'ours' || m === 'paper') && config.traceSamples > 0);
  const copies = settings.reduce((sum, setting) => sum + drawsFor(setting, config.attackDraws), 0);
  const total = config.seeds.length * (methods.length + copies) + traced.length;
  let done = 0;
  const report = (detail: string): void => options.onProgress?.({ done, total, detail });

  const adapter = await open(modelPath);
  try {
    const dataset = await loadDataset(config.dataset, { cwd: baseDir });
    const description = adapter.describe();
    let nonFragileCache: Promise<TriggerSamples> | undefined;
    const nonFragile = (): Promise<TriggerSamples> => (nonFragileCache ??= nonFragileSamples(adapter, dataset.test));

    const runs = new Map<MethodName, MethodRun[]>(methods.map((m) => [m, []]));
    // Per cell, per seed: the ChangeRate of every tampered copy of that seed.
    const changes = new Map<string, number[][]>();
    const nonFiniteCounts = new Map<string, number[]>();
    const curvePoints = new Map<string, number[]>();
    let trainCache: { images: ReturnType<typeof toModelBatch>; labels: Int32Array } | undefined;
    const trainData = () => (trainCache ??= { images: toModelBatch(dataset.train, description), labels: dataset.train.labels });
    let testCache: typeof trainCache;
    const testData = () => (testCache ??= { images: toModelBatch(dataset.test, description), labels: dataset.test.labels });
    const backdoorEffects = new Map<string, { attackSuccessRate: number; cleanAccuracy: number }[]>();
    const cellKey = (method: MethodName, index: number): string => `${method}#${index}`;

    for (const seed of config.seeds) {
      const made = new Map<MethodName, TriggerSamples>();
      for (const method of methods) {
        report(`seed ${seed}: ${method}`);
        const run = await makeSamples(method, { adapter, test: dataset.test, train: dataset.train, config, seed, nonFragile, step: (detail) => report(`seed ${seed}: ${detail}`) });
        runs.get(method)!.push(run);
        made.set(method, run.samples);
        done++;
      }
      for (const [index, setting] of settings.entries()) {
        const draws = drawsFor(setting, config.attackDraws);
        const drawRates = new Map<MethodName, number[]>();
        for (let draw = 0; draw < draws; draw++) {
          const attackSeed = draw === 0 ? seed : (seed + draw * DRAW_SEED_STRIDE) >>> 0;
          const label = `seed ${seed}: ${setting.kind}${setting.variant ? ` (${setting.variant})` : ''}${setting.value === undefined ? '' : ` ${setting.value}`}${draws > 1 ? `, copy ${draw + 1}/${draws}` : ''}`;
          report(label);
          const model = await open(modelPath);
          try {
            const outcome = await tamperAndVerify({
              model,
              setting,
              seed: attackSeed,
              triggers: made,
              train: trainData,
              test: testData,
              onCheckpoint: (step, steps) => report(`${label}: step ${step}/${steps}`),
            });
            for (const [method, rate] of outcome.rates) push(drawRates, method, rate);
            for (const [method, count] of outcome.nonFinite) push(nonFiniteCounts, cellKey(method, index), count);
            for (const { step, rates } of outcome.checkpoints) {
              for (const [method, rate] of rates) push(curvePoints, `${cellKey(method, index)}@${step}`, rate);
            }
            if (outcome.backdoor) push(backdoorEffects, String(index), outcome.backdoor);
          } finally {
            await model.dispose();
          }
          done++;
        }
        for (const [method, rates] of drawRates) push(changes, cellKey(method, index), rates);
      }
    }

    const traces: StudyResult['traces'] = [];
    if (traced.length > 0) {
      for (const method of traced) {
        report(`figures: tracing ${method}`);
        const preset = method === 'ours' ? 'default' : 'paper';
        // The samples the preset itself would choose, so the figures show what it does.
        const selection = triggerSelectionFor(presetSettings(preset));
        const candidates = await pickTriggerCandidates(adapter, dataset.test, { count: config.traceSamples, seed: config.seeds[0]!, selection });
        const trace = await traceFragilization({
          adapter,
          inputs: candidates.batch,
          preset,
          ...(method === 'paper' && config.paperIterations ? { maxIterations: config.paperIterations } : {}),
        });
        traces.push({ method, trace });
        done++;
      }
    }
    report('done');

    return {
      model: options.modelLabel ?? config.model,
      ...(config.ours ? { ours: config.ours } : {}),
      runtime: description.runtime,
      dataset: dataset.name,
      seeds: [...config.seeds],
      count: config.count,
      methods: methods.map((method) => {
        const list = runs.get(method)!;
        const samples = mean(list.map((r) => r.samples.labels.length));
        return {
          method,
          samples,
          psnr: meanOrNull(list.map((r) => r.psnr)),
          ssim: meanOrNull(list.map((r) => r.ssim)),
          msPerSample: mean(list.map((r) => r.samples.durationMs / Math.max(1, r.samples.labels.length))),
          gradientEvaluationsPerSample: mean(list.map((r) => r.samples.gradientEvaluations / Math.max(1, r.samples.labels.length))),
          inBand: meanOrNull(list.map((r) => r.inBand ?? null)),
          replaced: meanOrNull(list.map((r) => r.replaced ?? null)),
          tieTops: list.flatMap((r) => (r.tieTop ? [r.tieTop] : [])),
        };
      }),
      columns: settings.map((s) => ({ attack: s.kind, value: s.value ?? null, variant: s.variant ?? null })),
      cells: methods.flatMap((method) =>
        settings.map((setting, index) => {
          const bySeed = changes.get(cellKey(method, index)) ?? [];
          const perSeed = bySeed.map(mean);
          const perDraw = bySeed.flat();
          return {
            method,
            attack: setting.kind,
            value: setting.value ?? null,
            variant: setting.variant ?? null,
            changeRate: mean(perSeed),
            perSeed,
            perDraw,
            // A seed counts as detected only if every tampered copy of it was.
            detectedSeeds: bySeed.filter((rates) => rates.every((rate) => rate > 0)).length,
            detectedDraws: perDraw.filter((rate) => rate > 0).length,
            nonFiniteSamples: (nonFiniteCounts.get(cellKey(method, index)) ?? []).reduce((a, b) => a + b, 0),
          };
        }),
      ),
      traces,
      backdoors: settings.flatMap((setting, index) => {
        const effects = backdoorEffects.get(String(index));
        if (!effects) return [];
        return [
          {
            learningRate: setting.value!,
            attackSuccessRate: mean(effects.map((e) => e.attackSuccessRate)),
            cleanAccuracy: mean(effects.map((e) => e.cleanAccuracy)),
          },
        ];
      }),
      curves: settings.flatMap((setting, index) => {
        if (setting.spec.kind !== 'finetune') return [];
        const spec = setting.spec;
        const stops = checkpointSteps(spec.steps, spec.points);
        return methods.map((method) => ({
          method,
          learningRate: setting.value!,
          batchNorm: spec.batchNorm,
          steps: [0, ...stops],
          changeRate: [0, ...stops.map((step) => mean(curvePoints.get(`${cellKey(method, index)}@${step}`) ?? []))],
        }));
      }),
      durationMs: performance.now() - started,
    };
  } finally {
    await adapter.dispose();
  }
}
