import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { addGaussianNoise, readTriggerSetFile, verify, type ModelAdapter, type TriggerSet } from '@modelseal/core';
import { createRegistry, openModel } from '../adapters.ts';
import { loadSigningKey } from '../options.ts';
import { DEMO_MODELS, REPO_ROOT } from '../paths.ts';
import { parseVariations, runEnrol, runFalseAlarmStudy } from './enrol.ts';
import { fragilizeToFile } from './fragilize.ts';
import { runVerify } from './verify.ts';

const TFJS_MODEL = DEMO_MODELS.mnist;
const ONNX_MODEL = join(REPO_ROOT, 'packages/adapters/onnx/fixtures/cnn_mnist_logits.onnx');
const KEY = 'b'.repeat(64);

/** Runs `action` with stdout captured (and stderr silenced); returns what it printed. */
async function capture<T>(action: () => Promise<T>): Promise<{ value: T; stdout: string }> {
  const chunks: string[] = [];
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const value = await action();
    return { value, stdout: chunks.join('') };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

async function makeTriggerSet(model: string, out: string, keyFile?: string): Promise<void> {
  const registry = await createRegistry();
  const adapter = await openModel(registry, model);
  try {
    await fragilizeToFile(adapter, {
      dataset: 'mnist',
      count: 20,
      out,
      preset: 'default',
      seed: 4,
      json: true,
      modelLabel: model,
      ...(keyFile ? { signingKeyFile: keyFile } : {}),
    });
  } finally {
    await adapter.dispose();
  }
}

interface EnrolSummary {
  out?: string;
  dryRun?: boolean;
  samplesBefore: number;
  samplesKept: number;
  samplesDropped: number;
  dropped: { index: number }[];
  noiseFloor: number;
  probabilityTolerance: number;
  variants: { name: string; labelFlips: number; maxDelta: number }[];
  afterEnrolment: { labelFalseAlarm: boolean; probabilityFalseAlarm: boolean }[];
  skipped: { variation: string }[];
  signed: boolean;
}

function expectAligned(set: TriggerSet, kept: number): void {
  expect(set.labels.length).toBe(kept);
  for (const key of ['sampleIndices', 'originalLabels', 'margins', 'iterationsPerSample']) {
    expect((set.metadata.extra[key] as unknown[]).length).toBe(kept);
  }
}

describe('modelseal enrol', () => {
  let dir: string;
  let keyFile: string;
  let tfjsSet: string;
  let onnxSet: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'modelseal-enrol-'));
    keyFile = join(dir, 'key');
    await writeFile(keyFile, KEY);
    tfjsSet = join(dir, 'tfjs.safetensors');
    onnxSet = join(dir, 'onnx.safetensors');
    await makeTriggerSet(TFJS_MODEL, tfjsSet, keyFile);
    await makeTriggerSet(ONNX_MODEL, onnxSet);
  }, 300_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('enrols a TF.js trigger set over batch, shuffle and backend changes; probability-mode verify uses the recorded tolerance', async () => {
    const out = join(dir, 'tfjs-enrolled.safetensors');
    const { value: code, stdout } = await capture(() =>
      runEnrol({ model: TFJS_MODEL, triggers: tfjsSet, out, repeats: 2, signingKeyFile: keyFile, json: true }),
    );
    expect(code).toBe(0);
    const summary = JSON.parse(stdout) as EnrolSummary;
    expect(summary.variants.map((v) => v.name)).toEqual([
      'batch-1',
      'batch-full',
      'shuffled',
      expect.stringMatching(/^backend-(cpu|wasm)\/batch-1$/),
      expect.stringMatching(/^backend-(cpu|wasm)\/batch-full$/),
    ]);
    expect(summary.skipped.map((s) => s.variation)).toEqual(['threads']);
    expect(summary.samplesBefore).toBe(20);
    expect(summary.samplesKept + summary.samplesDropped).toBe(20);
    expect(summary.noiseFloor).toBe(Math.max(...summary.variants.map((v) => v.maxDelta)));
    expect(summary.probabilityTolerance).toBe(Math.max(1e-6, 10 * summary.noiseFloor));
    expect(summary.afterEnrolment.every((v) => !v.labelFalseAlarm && !v.probabilityFalseAlarm)).toBe(true);
    expect(summary.signed).toBe(true);

    const decoded = await readTriggerSetFile(out, { signingKey: loadSigningKey(keyFile) });
    expect(decoded.signature).toBe('valid');
    const set = decoded.triggerSet;
    expectAligned(set, summary.samplesKept);
    expect(set.metadata.extra.noiseFloor).toBe(summary.noiseFloor);
    expect(set.metadata.extra.probabilityTolerance).toBe(summary.probabilityTolerance);
    expect(set.metadata.extra.enrolment).toMatchObject({ samplesBefore: 20, samplesAfter: summary.samplesKept, repeats: 2 });

    // `modelseal verify --mode probability` picks the recorded tolerance and passes the unchanged model.
    const verified = await capture(() =>
      runVerify({ model: TFJS_MODEL, triggers: out, mode: 'probability', batchSize: 1, signingKeyFile: keyFile, plugin: [], json: true }),
    );
    expect(verified.value).toBe(0);
    const report = JSON.parse(verified.stdout) as { intact: boolean; tolerance: number };
    expect(report).toMatchObject({ intact: true, tolerance: summary.probabilityTolerance });

    // The same tolerance catches N(0, 1e-4²) on every weight.
    const registry = await createRegistry();
    const noisy: ModelAdapter = await registry.create('tfjs', { path: TFJS_MODEL });
    try {
      await addGaussianNoise(noisy.weights!, { std: 1e-4, seed: 1 });
      const tampered = await verify({
        adapter: noisy,
        inputs: set.inputs,
        labels: set.labels,
        probabilities: set.probabilities,
        mode: 'probability',
        tolerance: summary.probabilityTolerance,
      });
      expect(tampered.intact).toBe(false);
      expect(tampered.maxDelta).toBeGreaterThan(summary.probabilityTolerance);
    } finally {
      await noisy.dispose();
    }
  });

  it('enrols an ONNX trigger set over thread counts and prints a text summary', async () => {
    const out = join(dir, 'onnx-enrolled.safetensors');
    const { value: code, stdout } = await capture(() =>
      runEnrol({ model: ONNX_MODEL, triggers: onnxSet, out, variants: 'batch,threads,backend', repeats: 2, json: false }),
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/^wrote .*onnx-enrolled\.safetensors: kept \d+ of 20 samples\n/);
    expect(stdout).toMatch(/noise floor \S+ \(largest benign \|Δp\|\) → probability tolerance \S+/);
    expect(stdout).toMatch(/threads-\d+\/batch-1 /);
    expect(stdout).toMatch(/threads-\d+\/batch-full /);
    expect(stdout).not.toMatch(/shuffled/);
    expect(stdout).toMatch(/skipped backend: only TF\.js models/);
    const set = (await readTriggerSetFile(out)).triggerSet;
    const extra = set.metadata.extra as { noiseFloor: number; probabilityTolerance: number };
    expect(extra.probabilityTolerance).toBe(Math.max(1e-6, 10 * extra.noiseFloor));
    expectAligned(set, set.labels.length);
  });

  it('--dry-run writes nothing, and the false-alarm study of an enrolled set finds none', async () => {
    const out = join(dir, 'never.safetensors');
    const dry = await capture(() => runEnrol({ model: ONNX_MODEL, triggers: onnxSet, out, dryRun: true, repeats: 1, json: true }));
    expect(dry.value).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, samplesBefore: 20 });
    expect(existsSync(out)).toBe(false);

    const enrolled = join(dir, 'onnx-enrolled-2.safetensors');
    await capture(() => runEnrol({ model: ONNX_MODEL, triggers: onnxSet, out: enrolled, repeats: 1, json: true }));
    const { value, stdout } = await capture(() =>
      runFalseAlarmStudy({ model: ONNX_MODEL, triggers: enrolled, repeats: 2, seed: 9, json: false }),
    );
    expect(value.code).toBe(0);
    expect(value.study.falseAlarms).toEqual({ label: 0, probability: 0 });
    expect(value.study.tolerance).toBe((await readTriggerSetFile(enrolled)).triggerSet.metadata.extra.probabilityTolerance);
    expect(stdout).toMatch(/^no false alarms: \d+ samples × 2 repeats per variant/);
    expect(stdout).toMatch(/\(recorded at enrolment\)/);
  });

  it('rejects a missing --out, unknown variations and a key the set was not signed with', async () => {
    await expect(runEnrol({ model: ONNX_MODEL, triggers: onnxSet, json: true })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(
      runEnrol({ model: ONNX_MODEL, triggers: onnxSet, out: join(dir, 'x.safetensors'), variants: 'batch,gpu', json: true }),
    ).rejects.toThrow(/unknown variation "gpu"/);
    await expect(
      runEnrol({ model: ONNX_MODEL, triggers: onnxSet, out: join(dir, 'x.safetensors'), signingKeyFile: keyFile, json: true }),
    ).rejects.toMatchObject({ code: 'UNSIGNED_FILE' });
    await expect(
      capture(() => runEnrol({ model: ONNX_MODEL, triggers: onnxSet, dryRun: true, variants: 'backend', json: true })),
    ).rejects.toThrow(/none of the variations/);
    expect(parseVariations('batch, shuffle,batch')).toEqual(['batch', 'shuffle']);
    expect(() => parseVariations('')).toThrow(/at least one/);
  });
});
