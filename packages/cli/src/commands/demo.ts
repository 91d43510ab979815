import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { addGaussianNoise, ModelSealError, readTriggerSetFile, verify, type VerifyReport } from '@modelseal/core';
import { createRegistry, openModel } from '../adapters.ts';
import { DEMO_MODELS } from '../paths.ts';
import { fragilizeToFile } from './fragilize.ts';
import { trainToFolder } from './train.ts';

export interface DemoCommandOptions {
  readonly workDir: string;
  readonly count: number;
  readonly noiseStd: number;
  readonly retrain: boolean;
  readonly json: boolean;
}

async function ensureSigningKey(path: string): Promise<string> {
  if (!existsSync(path)) await writeFile(path, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  return path;
}

/**
 * The whole story on one screen: seal the demo model, show the untouched model passes,
 * perturb every weight by N(0, std²) and show the seal breaks.
 */
export async function runDemo(options: DemoCommandOptions): Promise<number> {
  const say = (line: string): void => {
    if (!options.json) process.stderr.write(`${line}\n`);
  };
  const work = resolve(options.workDir);
  await mkdir(work, { recursive: true });

  let modelDir: string = DEMO_MODELS.mnist;
  if (options.retrain || !existsSync(join(modelDir, 'model.json'))) {
    modelDir = join(work, 'mnist-cnn');
    say(`training the MNIST demo model into ${modelDir} …`);
    await trainToFolder({ dataset: 'mnist', out: modelDir, epochs: 3, batchSize: 64, seed: 0, json: options.json });
  } else {
    say(`using the demo model ${modelDir}`);
  }

  const registry = await createRegistry();
  const keyFile = await ensureSigningKey(join(work, 'signing.key'));
  const triggers = join(work, 'triggers.safetensors');
  const preview = join(work, 'original-vs-fragile.png');

  const original = await openModel(registry, modelDir, { log: say });
  let fragilized;
  try {
    fragilized = await fragilizeToFile(original, {
      dataset: 'mnist',
      count: options.count,
      out: triggers,
      preset: 'default',
      seed: 0,
      preview,
      signingKeyFile: keyFile,
      json: options.json,
      modelLabel: modelDir,
    });
  } finally {
    await original.dispose();
  }

  const key = (await readFile(keyFile, 'utf8')).trim();
  const { triggerSet } = await readTriggerSetFile(triggers, { signingKey: Buffer.from(key, 'hex') });
  const check = async (location: string): Promise<VerifyReport> => {
    const adapter = await openModel(registry, location);
    try {
      return await verify({ adapter, inputs: triggerSet.inputs, labels: triggerSet.labels });
    } finally {
      await adapter.dispose();
    }
  };

  const intact = await check(modelDir);

  const tamperedDir = join(work, `mnist-cnn-noise-${options.noiseStd}`);
  const victim = await openModel(registry, modelDir);
  try {
    if (!victim.weights) throw new ModelSealError('UNSUPPORTED', 'the demo model adapter exposes no weights');
    await addGaussianNoise(victim.weights, { std: options.noiseStd, seed: 1 });
    await victim.weights.save(tamperedDir);
  } finally {
    await victim.dispose();
  }
  const tampered = await check(tamperedDir);

  const s = fragilized.summary;
  const result = {
    model: modelDir,
    triggerSet: triggers,
    preview,
    fragilize: s,
    unchanged: { intact: intact.intact, changeRate: intact.changeRate },
    tampered: { model: tamperedDir, noiseStd: options.noiseStd, intact: tampered.intact, changeRate: tampered.changeRate, changed: tampered.labelChanges },
  };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    const pct = (x: number): string => `${(x * 100).toFixed(0)} %`;
    process.stdout.write(
      [
        '',
        'ModelSeal demo (MNIST, small CNN, TF.js)',
        `  sealed       ${s.samples} fragile samples in ${((s.durationMs as number) / 1000).toFixed(1)} s, ${(s.gradientEvaluationsPerSample as number).toFixed(0)} gradient evaluations per sample, PSNR ${(s.meanPsnr as number).toFixed(1)} dB, SSIM ${(s.meanSsim as number).toFixed(2)}`,
        `  trigger set  ${triggers} (signed)`,
        `  picture      ${preview}`,
        `  unchanged model     → ${intact.intact ? 'INTACT' : 'TAMPERED'} (ChangeRate ${pct(intact.changeRate)})`,
        `  noise std ${options.noiseStd.toExponential(0)} on every weight → ${tampered.intact ? 'INTACT' : 'TAMPERED'} (ChangeRate ${pct(tampered.changeRate)}, ${tampered.labelChanges} of ${tampered.total} labels flipped)`,
        '',
        `Try it yourself: pnpm modelseal verify --model ${tamperedDir} --triggers ${triggers} --signing-key-file ${keyFile}`,
        '',
      ].join('\n'),
    );
  }
  // The demo fails loudly if the method does not do what it promises.
  return intact.intact && !tampered.intact ? 0 : 2;
}
