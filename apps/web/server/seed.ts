// Demo data for `pnpm platform --demo` (the README's start command): a person, a project, the
// MNIST demo model and two deployed copies of it (one tampered with), a trigger set made by the
// worker, a few audits and a nightly schedule. Everything goes through the API and the queue,
// as a person clicking would, so the demo shows real results.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCaller, createContext } from '@modelseal/api';
import type { RunningPlatform } from './platform.ts';
import { readModelFolder, tamperTfjsWeights, type ModelFile } from './tamper.ts';

export const DEMO_EMAIL = 'demo@modelseal.local';
export const DEMO_PASSWORD = 'modelseal-demo';
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const DEMO_MODEL_DIR = join(REPO_ROOT, 'models', 'mnist-cnn');

export interface DemoResult {
  readonly created: boolean;
  readonly email: string;
  readonly password: string;
  readonly projectId?: string;
}

type Api = ReturnType<typeof createCaller>;

export function modelFormData(projectId: string, name: string, adapterKind: string, files: readonly ModelFile[]): FormData {
  const form = new FormData();
  form.set('projectId', projectId);
  form.set('name', name);
  form.set('adapterKind', adapterKind);
  for (const file of files) form.append('files', new File([Buffer.from(file.bytes)], file.path));
  return form;
}

async function waitForJob(api: Api, projectId: string, jobId: string, log: (line: string) => void): Promise<void> {
  let lastStage = '';
  for (;;) {
    const job = await api.jobs.get({ projectId, jobId });
    if (job.stage && job.stage !== lastStage) {
      lastStage = job.stage;
      log(`  ${job.type}: ${job.stage}`);
    }
    if (job.status === 'succeeded') return;
    if (job.status === 'failed' || job.status === 'cancelled') throw new Error(`${job.type} job ${job.status}: ${job.error ?? ''}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function seedDemo(platform: Pick<RunningPlatform, 'deps'>, options: { log?: (line: string) => void } = {}): Promise<DemoResult> {
  const log = options.log ?? (() => {});
  const existing = await platform.deps.prisma.user.findUnique({ where: { email: DEMO_EMAIL } });
  if (existing) return { created: false, email: DEMO_EMAIL, password: DEMO_PASSWORD };
  log('seeding demo data');
  const anonymous = createCaller(await createContext({ ...platform.deps, headers: {} }));
  const { token } = await anonymous.auth.signUp({ email: DEMO_EMAIL, password: DEMO_PASSWORD, name: 'Demo user' });
  const api = createCaller(await createContext({ ...platform.deps, headers: { authorization: `Bearer ${token}` } }));
  const project = await api.projects.create({ name: 'Demo', slug: 'demo' });
  const projectId = project.id;

  const files = await readModelFolder(DEMO_MODEL_DIR);
  const shipped = await api.models.upload(modelFormData(projectId, 'mnist-cnn', 'tfjs', files));
  const usCopy = await api.models.upload(modelFormData(projectId, 'mnist-cnn @ us-east', 'tfjs', files));
  // Noise of std 1e-4 on every weight: accuracy unchanged, the seal must break.
  const euCopy = await api.models.upload(modelFormData(projectId, 'mnist-cnn @ eu-edge', 'tfjs', tamperTfjsWeights(files, { std: 1e-4, seed: 7 })));
  log('  models uploaded');

  const { jobId } = await api.triggerSets.create({ projectId, modelId: shipped.id, name: 'mnist-100', dataset: 'mnist', count: 100, preset: 'default', seed: 1 });
  await waitForJob(api, projectId, jobId, log);
  const [set] = await api.triggerSets.list({ projectId, modelId: shipped.id });
  if (!set) throw new Error('the fragilize job finished without a trigger set');

  for (const modelId of [shipped.id, usCopy.id, shipped.id, euCopy.id]) {
    const result = await api.audits.runAndWait({ projectId, modelId, triggerSetId: set.id, timeoutMs: 120_000 });
    if (!result.done || result.status !== 'succeeded') throw new Error(`demo audit did not finish: ${result.status} ${result.error ?? ''}`);
  }
  await api.schedules.create({ projectId, modelId: usCopy.id, triggerSetId: set.id, cron: '0 3 * * *', mode: 'label' });
  log('  trigger set, audits and a nightly schedule ready');
  return { created: true, email: DEMO_EMAIL, password: DEMO_PASSWORD, projectId };
}
