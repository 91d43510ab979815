// The acceptance test: kill -9 a worker in the middle of a fragilize job; another
// worker takes the job over once its heartbeat stops, finishes it, and nothing is lost.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createArtifactStore } from '@modelseal/artifacts';
import { decodeTriggerSet } from '@modelseal/core';
import { enqueue } from '@modelseal/jobs';
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createJobRow, openTestDatabase, REPO_ROOT, seedModel, waitFor, type TestDatabase, startQueueClient } from './testing/database.ts';
import { startWorker, type RunningWorker } from './worker.ts';

const WORKER_DIR = join(REPO_ROOT, 'apps/worker');
const COUNT = 40;
const ARTIFACT_KEY = '7'.repeat(64);

let db: TestDatabase;
let client: PgBoss;
let workerA: ChildProcess | undefined;
let workerB: RunningWorker | undefined;
let outputA = '';

beforeAll(async () => {
  db = await openTestDatabase('takeover');
  client = await startQueueClient(db.url);
}, 120_000);

afterAll(async () => {
  if (workerA && workerA.exitCode === null && workerA.signalCode === null) workerA.kill('SIGKILL');
  await workerB?.stop();
  await client?.stop({ graceful: false });
  await db?.close();
}, 60_000);

function spawnWorker(artifactsDir: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: WORKER_DIR,
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      MODELSEAL_ARTIFACTS_DIR: artifactsDir,
      MODELSEAL_ARTIFACT_KEY: ARTIFACT_KEY,
      MODELSEAL_WORKER_POLL_SECONDS: '0.5',
      MODELSEAL_WORKER_SUPERVISE_SECONDS: '1',
      MODELSEAL_WORKER_PROGRESS_MS: '100',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (outputA += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (outputA += chunk.toString()));
  return child;
}

it('finishes a fragilize job on another worker after the first is killed with SIGKILL', async () => {
  const artifactsDir = join(db.dir, 'artifacts');
  const { project, model } = await seedModel(db.prisma);
  const job = await createJobRow(db.prisma, project.id, 'fragilize', model.id);
  // The paper's fixed-step loop: a known number of iterations, long enough to be caught midway.
  const bossId = await enqueue(client, 'fragilize', {
    jobId: job.id, modelId: model.id, triggerSetName: 'survivor', dataset: 'mnist', count: COUNT, preset: 'paper', maxIterations: 300, seed: 7,
  });

  workerA = spawnWorker(artifactsDir);
  const exited = new Promise<void>((resolve) => workerA!.once('exit', () => resolve()));
  const midway = await waitFor('worker A to report progress', async () => {
    const row = await db.prisma.job.findUniqueOrThrow({ where: { id: job.id } });
    return row.status === 'running' && row.progress > 0 ? row : undefined;
  }, 90_000, 50).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}\nworker A said:\n${outputA}`);
  });
  expect(midway.progress).toBeLessThan(1);

  workerA.kill('SIGKILL');
  await exited;
  expect(workerA.signalCode).toBe('SIGKILL');
  // Killed midway: the job is still claimed by the dead worker and nothing was committed.
  const orphaned = await db.prisma.job.findUniqueOrThrow({ where: { id: job.id } });
  expect(orphaned.status).toBe('running');
  expect(await db.prisma.triggerSet.count({ where: { modelId: model.id } })).toBe(0);

  workerB = await startWorker({
    artifactKey: ARTIFACT_KEY,
    databaseUrl: db.url,
    artifactsDir,
    pollingIntervalSeconds: 0.5,
    superviseIntervalSeconds: 1,
    progressIntervalMs: 100,
    log: () => undefined,
  });
  const done = await waitFor('worker B to finish the job', async () => {
    const row = await db.prisma.job.findUniqueOrThrow({ where: { id: job.id } });
    return row.finishedAt ? row : undefined;
  }, 120_000);

  expect(done.status).toBe('succeeded');
  expect(done.progress).toBe(1);
  const sets = await db.prisma.triggerSet.findMany({ where: { modelId: model.id } });
  expect(sets).toHaveLength(1);
  expect(sets[0]!.id).toBe(done.triggerSetId);
  expect(sets[0]!.sampleCount).toBe(COUNT);
  const store = createArtifactStore({ root: artifactsDir, encryptionKey: ARTIFACT_KEY });
  const decoded = decodeTriggerSet(await store.get(sets[0]!.artifactRef));
  expect(decoded.triggerSet.labels).toHaveLength(COUNT);
  expect(decoded.triggerSet.metadata.iterations).toBe(300);
  // pg-boss ran the job a second time: the first attempt died with worker A.
  const queued = await client.getJobById('fragilize', bossId);
  expect(queued?.state).toBe('completed');
  expect(queued?.retryCount).toBeGreaterThanOrEqual(1);
}, 240_000);
