import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  chooseGradient,
  describeTieTop,
  finiteOrNull,
  resolveSettings,
  triggerSetFromFragilization,
  writeTriggerSetFile,
  type FragilizeResult,
  type ModelAdapter,
  type PresetName,
  type ObjectiveName,
} from '@modelseal/core';
import { fragilizeFromDataset, fromModelBatch, loadDataset, type Dataset } from '@modelseal/datasets';
import { createRegistry, openModel } from '../adapters.ts';
import { loadSigningKey } from '../options.ts';
import { renderComparison } from '../pictures.ts';
import { imageQuality } from '../quality.ts';
import { createProgress } from '../ui/progress.ts';

export interface FragilizeCommandOptions {
  readonly model: string;
  readonly dataset: string;
  readonly count: number;
  readonly out: string;
  readonly preset: PresetName;
  readonly seed: number;
  readonly objective?: ObjectiveName;
  readonly epsilon?: number;
  readonly iterations?: number;
  readonly minMargin?: number;
  readonly targetMargin?: number;
  readonly tieClasses?: number;
  readonly selection?: 'seeded' | 'junction-distance';
  readonly selectionPool?: number;
  readonly selectionScreen?: number;
  readonly tieTop?: 'probe' | 'runner-up' | 'last' | 'original';
  /** Spares as a fraction of count, fragilized in place of samples that miss their band; 0 keeps every sample. */
  readonly spareCandidates?: number;
  readonly maxTieClasses?: number;
  readonly tiePsnr?: number;
  /** 0 turns the set-wide allocation off (each sample sized alone by tiePsnr). */
  readonly tieMeanPsnr?: number;
  readonly minTieClasses?: number;
  /** 0 lifts the preset's limit. */
  readonly maxEvaluations?: number;
  readonly gradient?: 'exact' | 'nes' | 'spsa';
  readonly probes?: number;
  readonly sigma?: number;
  readonly preview?: string;
  readonly signingKeyFile?: string;
  readonly adapter?: string;
  readonly allowPrivate?: boolean;
  readonly plugin: string[];
  readonly json: boolean;
}

export interface FragilizeOutcome {
  readonly result: FragilizeResult;
  readonly summary: Record<string, unknown>;
}

/** Fragilizes `count` correctly classified test samples and writes the trigger set. */
export async function fragilizeToFile(
  adapter: ModelAdapter,
  options: Omit<FragilizeCommandOptions, 'model' | 'plugin' | 'adapter'> & { modelLabel: string; loadedDataset?: Dataset },
): Promise<FragilizeOutcome> {
  const log = (line: string): void => {
    if (!options.json) process.stderr.write(`${line}\n`);
  };
  const description = adapter.describe();
  const signingKey = loadSigningKey(options.signingKeyFile);
  const dataset = options.loadedDataset ?? (await loadDataset(options.dataset));
  const gradient = chooseGradient(adapter, {
    seed: options.seed,
    ...(options.gradient ? { kind: options.gradient } : {}),
    ...(options.probes !== undefined ? { probes: options.probes } : {}),
    ...(options.sigma !== undefined ? { sigma: options.sigma } : {}),
  });
  // One set of overrides: the candidate choice and the search must see the same settings.
  const overrides = {
    preset: options.preset,
    ...(options.objective ? { objective: options.objective } : {}),
    ...(options.epsilon !== undefined ? { epsilon: options.epsilon } : {}),
    ...(options.iterations !== undefined ? { maxIterations: options.iterations } : {}),
    ...(options.minMargin !== undefined ? { minMargin: options.minMargin } : {}),
    ...(options.targetMargin !== undefined ? { targetMargin: options.targetMargin } : {}),
    ...(options.tieClasses !== undefined ? { tieClasses: options.tieClasses } : {}),
    ...(options.selection !== undefined ? { selection: options.selection } : {}),
    ...(options.selectionPool !== undefined ? { selectionPool: options.selectionPool } : {}),
    ...(options.selectionScreen !== undefined ? { selectionScreen: options.selectionScreen } : {}),
    ...(options.spareCandidates !== undefined ? { spareCandidates: options.spareCandidates } : {}),
    ...(options.maxTieClasses !== undefined ? { maxTieClasses: options.maxTieClasses } : {}),
    ...(options.tiePsnr !== undefined ? { tiePsnr: options.tiePsnr } : {}),
    ...(options.tieMeanPsnr !== undefined ? { tieMeanPsnr: options.tieMeanPsnr === 0 ? null : options.tieMeanPsnr } : {}),
    ...(options.minTieClasses !== undefined ? { minTieClasses: options.minTieClasses } : {}),
    ...(options.tieTop !== undefined ? { tieTop: options.tieTop } : {}),
    ...(options.maxEvaluations !== undefined ? { maxEvaluations: options.maxEvaluations === 0 ? null : options.maxEvaluations } : {}),
  };
  const settings = resolveSettings(overrides);

  const progress = createProgress({ json: options.json });
  let barRound = -1;
  // With early stopping, progress is samples done; fixed-length loops (paper, default) count iterations.
  const { result, candidates, indices, replaced } = await fragilizeFromDataset(adapter, dataset.test, {
    ...overrides,
    count: options.count,
    gradient,
    seed: options.seed,
    probeImages: dataset.train,
    onCandidates: (chosen) => {
      log(`selected ${options.count} correctly classified ${dataset.name} test samples (model accuracy on the screened ones: ${(chosen.screenedAccuracy * 100).toFixed(1)} %)`);
      if (chosen.selectionGradientEvaluations > 0) {
        log(`  the ${options.count} nearest a ${settings.tieClasses}-class tie among ${chosen.poolSize} (${(chosen.selectionGradientEvaluations / options.count).toFixed(1)} gradient evaluations per sample)`);
      }
    },
    onProgress: (p, { round, replacing }) => {
      const bySamples = settings.earlyStop;
      if (barRound !== round) {
        if (barRound >= 0) progress.stop();
        progress.start(bySamples ? p.total : p.maxIterations, round === 0 ? 'fragilize' : `spares for ${replacing} outside the band`);
        barRound = round;
      }
      const detail = `iteration ${p.iteration} · in band ${p.converged}/${p.total} · mean margin ${p.meanMargin.toExponential(1)}`;
      progress.update(bySamples ? p.total - p.active : p.iteration, detail);
    },
  });
  progress.stop();

  const originals = fromModelBatch(result.originalInputs, description);
  const fragile = fromModelBatch(result.inputs, description);
  const quality = imageQuality(result.originalInputs, result.inputs, description);
  const margins = result.samples.map((s) => s.margin).sort((a, b) => a - b);
  const median = margins[Math.floor(margins.length / 2)] ?? 0;
  const summary = {
    out: options.out,
    model: options.modelLabel,
    runtime: description.runtime,
    dataset: dataset.name,
    samples: result.samples.length,
    preset: result.settings.preset,
    objective: result.settings.objective,
    method: result.settings.method,
    tieClasses: result.settings.tieClasses,
    meanTieClasses: result.samples.reduce((sum, sample) => sum + sample.tieClasses, 0) / Math.max(1, result.samples.length),
    gradient: result.gradientSource,
    iterations: result.iterations,
    queries: result.queries,
    queriesPerSample: result.queries / result.samples.length,
    gradientEvaluationsPerSample: result.gradientEvaluations / result.samples.length,
    selection: result.settings.selection,
    selectionGradientEvaluationsPerSample: candidates.selectionGradientEvaluations / result.samples.length,
    converged: result.samples.filter((s) => s.converged).length,
    replacedSamples: replaced,
    tieTop: result.tieTop ?? null,
    labelsChanged: result.samples.filter((s) => s.label !== s.originalLabel).length,
    medianMargin: median,
    minMargin: margins[0] ?? 0,
    meanMaxProbability: result.samples.reduce((s, x) => s + x.maxProbability, 0) / result.samples.length,
    meanPsnr: quality.meanPsnr,
    meanSsim: quality.meanSsim,
    durationMs: Math.round(result.durationMs),
    signed: signingKey !== undefined,
  };

  await mkdir(dirname(options.out), { recursive: true });
  const triggerSet = triggerSetFromFragilization(result, description, {
    classNames: dataset.classNames,
    extra: {
      dataset: dataset.name,
      split: 'test',
      sampleIndices: indices,
      meanPsnr: finiteOrNull(quality.meanPsnr),
      meanSsim: finiteOrNull(quality.meanSsim),
    },
  });
  await writeTriggerSetFile(options.out, triggerSet, { signingKey });
  if (options.preview) {
    await mkdir(dirname(options.preview), { recursive: true });
    await writeFile(options.preview, renderComparison(originals, fragile));
  }
  return { result, summary };
}

export async function runFragilize(options: FragilizeCommandOptions): Promise<number> {
  const log = (line: string): void => {
    if (!options.json) process.stderr.write(`${line}\n`);
  };
  // A wrong --dataset should fail before a model is loaded.
  const loadedDataset = await loadDataset(options.dataset);
  const registry = await createRegistry(options.plugin);
  const adapter = await openModel(registry, options.model, { log, allowPrivate: options.allowPrivate ?? false, ...(options.adapter ? { adapterKind: options.adapter } : {}) });
  try {
    const { result, summary } = await fragilizeToFile(adapter, { ...options, modelLabel: options.model, loadedDataset });
    if (options.json) {
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    } else {
      process.stdout.write(
        [
          `wrote ${summary.out}: ${summary.samples} fragile samples${summary.signed ? ' (signed)' : ''}`,
          `  ${summary.preset} preset, ${summary.method === 'junction' ? `${tieDescription(result.samples.map((sample) => sample.tieClasses))} junction${summary.selection === 'junction-distance' ? ' (candidates chosen by junction distance)' : ''}` : `objective ${summary.objective}`}, ${summary.iterations} iterations, ${(summary.gradientEvaluationsPerSample as number).toFixed(1)} gradient evaluations per sample, ${((summary.durationMs as number) / 1000).toFixed(1)} s`,
          `  converged ${summary.converged}/${summary.samples}${(summary.replacedSamples as number) > 0 ? ` (${summary.replacedSamples as number} spare${summary.replacedSamples === 1 ? '' : 's'} fragilized in place of samples that missed the band)` : ''}; median top-1/top-2 margin ${(summary.medianMargin as number).toExponential(2)}; mean max probability ${(summary.meanMaxProbability as number).toFixed(3)}`,
          ...(result.tieTop ? [`  class on top: ${describeTieTop(result.tieTop)}`] : []),
          `  image quality: PSNR ${(summary.meanPsnr as number).toFixed(1)} dB, SSIM ${(summary.meanSsim as number).toFixed(3)}`,
          ...(options.preview ? [`  preview: ${options.preview}`] : []),
        ].join('\n') + '\n',
      );
    }
    return 0;
  } finally {
    await adapter.dispose();
  }
}

/** "6-class", or "6-8-class (mean 6.7)" when samples with room to spare tie more classes. */
/** "6-class" when every sample ties the same number of classes, else "5-8-class (mean 6.5 classes)". */
function tieDescription(sizes: readonly number[]): string {
  const low = Math.min(...sizes);
  const high = Math.max(...sizes);
  if (low === high) return `${low}-class`;
  return `${low}-${high}-class (mean ${(sizes.reduce((sum, k) => sum + k, 0) / sizes.length).toFixed(1)} classes)`;
}
