import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addGaussianNoise } from '@modelseal/core';
import { tfjsAdapterFactory } from '@modelseal/adapter-tfjs';
import { DEMO_MODELS, REPO_ROOT } from './paths.ts';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const PY_READER = join(REPO_ROOT, 'packages/core/src/triggerset/fixtures/read_safetensors.py');
const KEY = 'a'.repeat(64);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function modelseal(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function hasPython(): Promise<boolean> {
  try {
    await run('python3', ['--version']);
    return true;
  } catch {
    return false;
  }
}

const PYTHON = await hasPython();

describe('modelseal CLI on the MNIST demo model', () => {
  let dir: string;
  let triggers: string;
  let keyFile: string;
  let noisy: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'modelseal-cli-'));
    triggers = join(dir, 'set.safetensors');
    keyFile = join(dir, 'key');
    await writeFile(keyFile, KEY);
    const result = await modelseal([
      'fragilize', '--model', DEMO_MODELS.mnist, '--dataset', 'mnist', '--count', '20',
      '--out', triggers, '--seed', '3', '--signing-key-file', keyFile, '--preview', join(dir, 'preview.png'), '--json',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);

    // A copy of the model with N(0, 1e-4²) added to every weight.
    noisy = join(dir, 'noisy');
    const adapter = await tfjsAdapterFactory.create(tfjsAdapterFactory.configSchema.parse({ path: DEMO_MODELS.mnist }));
    await addGaussianNoise(adapter.weights!, { std: 1e-4, seed: 1 });
    await adapter.weights!.save(noisy);
    await adapter.dispose();
  }, 600_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('fragilize --json describes what it wrote', async () => {
    const inspect = await modelseal(['inspect', triggers, '--json', '--signing-key-file', keyFile]);
    expect(inspect.code).toBe(0);
    const summary = JSON.parse(inspect.stdout);
    expect(summary.samples).toBe(20);
    expect(summary.signature).toBe('valid');
    expect(summary.inputShape).toEqual([28, 28, 1]);
    expect(summary.metadata.extra.dataset).toBe('mnist');
    expect((await readFile(join(dir, 'preview.png'))).subarray(1, 4).toString()).toBe('PNG');
  });

  it.runIf(PYTHON)('writes a file that a plain Python safetensors reader opens', async () => {
    const { stdout } = await run('python3', [PY_READER, triggers]);
    const parsed = JSON.parse(stdout);
    expect(parsed.tensors).toEqual([
      { name: 'inputs', dtype: 'F32', shape: [20, 28, 28, 1] },
      { name: 'labels', dtype: 'I32', shape: [20] },
      { name: 'probabilities', dtype: 'F32', shape: [20, 10] },
    ]);
    expect(parsed.metadata_keys).toContain('signature');
    expect(parsed.content_sha256_ok).toBe(true);
  });

  it('verify exits 0 on the unchanged model and prints the report as JSON', async () => {
    const result = await modelseal(['verify', '--model', DEMO_MODELS.mnist, '--triggers', triggers, '--json', '--signing-key-file', keyFile]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ intact: true, changeRate: 0, changed: [], queries: 20, signature: 'valid', fingerprintMatches: true });
  });

  it('does not raise a false alarm when the samples are sent one at a time', async () => {
    const result = await modelseal(['verify', '--model', DEMO_MODELS.mnist, '--triggers', triggers, '--batch-size', '1', '--json'], {
      MODELSEAL_SIGNING_KEY: KEY,
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ intact: true, requests: 20 });
  });

  it('enrol records the noise floor, and the enrolled set raises no false alarm under benign changes', async () => {
    const enrolled = join(dir, 'enrolled.safetensors');
    const env = { MODELSEAL_SIGNING_KEY: KEY };
    const made = await modelseal(['enrol', '--model', DEMO_MODELS.mnist, '--triggers', triggers, '--out', enrolled, '--repeats', '1', '--json'], env);
    expect(made.code).toBe(0);
    const study = await modelseal(['false-alarms', '--model', DEMO_MODELS.mnist, '--triggers', enrolled, '--repeats', '1', '--seed', '9', '--json'], env);
    expect(study.code).toBe(0);
    const report = JSON.parse(study.stdout);
    expect(report.falseAlarms).toEqual({ label: 0, probability: 0 });
    const inspect = JSON.parse((await modelseal(['inspect', enrolled, '--json'], env)).stdout);
    expect(inspect.metadata.extra.probabilityTolerance).toBeGreaterThan(0);
    expect(inspect.metadata.extra.noiseFloor).toBeGreaterThanOrEqual(0);
  });

  it('verify exits 1 on a copy with Gaussian noise of std 1e-4 on every weight', async () => {
    const result = await modelseal(['verify', '--model', noisy, '--triggers', triggers, '--json', '--signing-key-file', keyFile]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.intact).toBe(false);
    expect(report.changed.length).toBeGreaterThan(0);
    expect(report.changeRate).toBeCloseTo(report.changed.length / 20, 10);
    expect(report.fingerprintMatches).toBe(false);
  });

  it('verify exits 2 when one byte of the trigger set is flipped', async () => {
    const bytes = await readFile(triggers);
    const flipped = join(dir, 'flipped.safetensors');
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0x01;
    await writeFile(flipped, bytes);
    const result = await modelseal(['verify', '--model', DEMO_MODELS.mnist, '--triggers', flipped, '--signing-key-file', keyFile]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/flipped\.safetensors: .*(checksum|signature)/);
  });

  it('verify exits 2 when the key does not match the signature', async () => {
    const result = await modelseal(['verify', '--model', DEMO_MODELS.mnist, '--triggers', triggers], { MODELSEAL_SIGNING_KEY: 'b'.repeat(64) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/signature/);
  });

  it('verify --mode probability passes the unchanged model and fails the noisy one', async () => {
    const ok = await modelseal(['verify', '--model', DEMO_MODELS.mnist, '--triggers', triggers, '--mode', 'probability', '--json']);
    expect(ok.code).toBe(0);
    const bad = await modelseal(['verify', '--model', noisy, '--triggers', triggers, '--mode', 'probability', '--json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).changed.length).toBeGreaterThanOrEqual(1);
  });

  it('exits 2 with one clear line for bad arguments and unreadable inputs', async () => {
    const cases: [string[], RegExp][] = [
      [['verify', '--model', DEMO_MODELS.mnist], /required option '--triggers/],
      [['verify', '--model', DEMO_MODELS.mnist, '--triggers', triggers, '--batch-size', 'x'], /--batch-size must be an integer/],
      [['verify', '--model', join(dir, 'missing'), '--triggers', triggers], /model not found/],
      [['verify', '--model', DEMO_MODELS.mnist, '--triggers', join(dir, 'missing.safetensors')], /no such file/],
      [['fragilize', '--model', DEMO_MODELS.mnist, '--dataset', 'nope', '--count', '2', '--out', join(dir, 'x')], /nope/],
      [['fragilize', '--model', DEMO_MODELS.mnist, '--dataset', 'mnist', '--count', '2', '--out', join(dir, 'x'), '--spare-candidates', '1.5'], /--spare-candidates must be a number from 0 to 1/],
      [['fragilize', '--model', DEMO_MODELS.mnist, '--dataset', 'mnist', '--count', '2', '--out', join(dir, 'x'), '--tie-top', 'first'], /--tie-top/],
      [['fragilize', '--model', DEMO_MODELS.mnist, '--dataset', 'mnist', '--count', '2', '--out', join(dir, 'x'), '--tie-mean-psnr', '-3'], /--tie-mean-psnr must be a number ≥ 0/],
      [['fragilize', '--model', DEMO_MODELS.mnist, '--dataset', 'mnist', '--count', '2', '--out', join(dir, 'x'), '--min-tie-classes', '9', '--max-tie-classes', '8'], /minTieClasses/],
      [['inspect', PY_READER], /read_safetensors\.py/],
    ];
    for (const [args, message] of cases) {
      const result = await modelseal(args, { MODELSEAL_SIGNING_KEY: KEY });
      expect(result.code, args.join(' ')).toBe(2);
      // Informational lines (which backend was chosen) may precede it; the error is one line.
      const errors = result.stderr.trim().split('\n').filter((line) => line.startsWith('modelseal:'));
      expect(errors, args.join(' ')).toHaveLength(1);
      expect(errors[0], args.join(' ')).toMatch(message);
    }
  });

  it('verify exits 2 when the trigger set does not fit the model', async () => {
    const plugin = join(REPO_ROOT, 'examples/adapter-js-function/fixtures/nearest-centroid.js');
    const result = await modelseal(['verify', '--plugin', 'modelseal-adapter-js-function', '--model', plugin, '--triggers', triggers], {
      MODELSEAL_SIGNING_KEY: KEY,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/expected a batch of shape \[N, 16\], got \[20, 28, 28, 1\]/);
  });
});

describe('modelseal train', () => {
  it('trains the demo CNN, reports its test accuracy and saves a model the CLI can seal', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'modelseal-train-'));
    try {
      const out = join(dir, 'model');
      const trained = await modelseal(['train', '--dataset', 'mnist', '--out', out, '--epochs', '1', '--train-limit', '800', '--json']);
      expect(trained.code).toBe(0);
      const summary = JSON.parse(trained.stdout);
      // 800 digits and one epoch: far from the committed model, far above chance (10 %).
      expect(summary.testAccuracy).toBeGreaterThan(0.5);
      const sealed = await modelseal(['fragilize', '--model', out, '--dataset', 'mnist', '--count', '5', '--out', join(dir, 't.safetensors'), '--json']);
      expect(sealed.code).toBe(0);
      expect(JSON.parse(sealed.stdout).samples).toBe(5);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});

describe('modelseal CLI with ONNX models and HTTP endpoints', () => {
  const onnxModel = join(REPO_ROOT, 'packages/adapters/onnx/fixtures/cnn_mnist_logits.onnx');
  let dir: string;
  let triggers: string;
  let server: ChildProcess;
  let url: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'modelseal-http-'));
    triggers = join(dir, 'set.safetensors');
    const made = await modelseal(['fragilize', '--model', onnxModel, '--dataset', 'mnist', '--count', '30', '--out', triggers, '--json']);
    expect(made.code).toBe(0);
    const summary = JSON.parse(made.stdout);
    expect(summary).toMatchObject({ samples: 30, gradient: 'exact', preset: 'default', method: 'junction', selection: 'junction-distance' });
    // A sample or two may end just above the band after 30 iterations; none below its floor.
    expect(summary.converged).toBeGreaterThanOrEqual(27);
    expect(summary.minMargin).toBeGreaterThanOrEqual(1e-5);
    server = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--model', onnxModel, '--port', '0', '--name', 'cnn'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      server.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
  }, 300_000);

  afterAll(async () => {
    server?.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the model over the Open Inference Protocol', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2\/models\/cnn$/);
  });

  it('verify over HTTP gives the same answer as local verification, to the last bit', async () => {
    const local = await modelseal(['verify', '--model', onnxModel, '--triggers', triggers, '--mode', 'probability', '--json']);
    const remote = await modelseal(['verify', '--model', url, '--allow-private', '--triggers', triggers, '--mode', 'probability', '--json']);
    expect(local.code).toBe(0);
    expect(remote.code).toBe(0);
    const [a, b] = [JSON.parse(local.stdout), JSON.parse(remote.stdout)];
    expect(b).toMatchObject({ intact: a.intact, changeRate: a.changeRate, changed: a.changed, queries: 30 });
    expect(b.maxDelta).toBe(0);
  });

  it('refuses a loopback endpoint unless --allow-private is given', async () => {
    const result = await modelseal(['verify', '--model', url, '--triggers', triggers]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/internal address.*--allow-private/s);
  });
});
