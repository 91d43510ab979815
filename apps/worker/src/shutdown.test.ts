// SIGTERM: a worker stops taking jobs and finishes the one it is running before it exits;
// when the grace period is too short, it hands the job back to the queue at once. A job that
// was only waiting for a model slot goes back at once.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { enqueue } from '@modelseal/jobs';
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createJobRow, openTestDatabase, REPO_ROOT, seedModel, waitFor, type TestDatabase, startQueueClient } from './testing/database.ts';
import { startWorker } from './worker.ts';

let db: TestDatabase;
let client: PgBoss;
const children: ChildProcess[] = [];

beforeAll(async () => {
  db = await openTestDatabase('shutdown');
  client = await startQueueClient(db.url);
}, 120_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await client?.stop({ graceful: false });
  await db?.close();
}, 60_000);

function spawnWorker(extraEnv: Record<string, string>): { child: ChildProcess; exit: Promise<number | null>; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: join(REPO_ROOT, 'apps/worker'),
    env: { ...process.env, DATABASE_URL: db.url, MODELSEAL_ARTIFACTS_DIR: join(db.dir, 'artifacts'), MODELSEAL_WORKER_POLL_SECONDS: '0.5', MODELSEAL_WORKER_PROGRESS_MS: '100', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exit, output: () => output };
}

async function startLongJob(name: string, maxIterations: number) {
  const { project, model } = await seedModel(db.prisma, { name });
  const job = await createJobRow(db.prisma, project.id, 'fragilize', model.id);
  const bossId = await enqueue(client, 'fragilize', { jobId: job.id, modelId: model.id, triggerSetName: name, dataset: 'mnist', count: 20, preset: 'paper', maxIterations });
  return { job, bossId };
}

const running = (jobId: string, output: () => string) =>
  waitFor('the job to run', async () => {
    const row = await db.prisma.job.findUniqueOrThrow({ where: { id: jobId } });
    return row.status === 'running' && row.progress > 0 ? row : undefined;
  }, 90_000, 50).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}\nworker said:\n${output()}`);
  });

it('finishes the running job before exiting on SIGTERM', async () => {
  const { job } = await startLongJob('finish', 200);
  const worker = spawnWorker({});
  await running(job.id, worker.output);
  worker.child.kill('SIGTERM');
  expect(await worker.exit).toBe(0);
  // Read after the process is gone: the result was committed before it exited.
  const row = await db.prisma.job.findUniqueOrThrow({ where: { id: job.id } });
  expect(row.status).toBe('succeeded');
  expect(await db.prisma.triggerSet.count({ where: { name: 'finish' } })).toBe(1);
}, 180_000);

it('hands the job back to the queue when the grace period runs out', async () => {
  // Far longer than the 1 s grace period.
  const { job, bossId } = await startLongJob('release', 100_000);
  const worker = spawnWorker({ MODELSEAL_WORKER_SHUTDOWN_SECONDS: '1' });
  await running(job.id, worker.output);
  worker.child.kill('SIGTERM');
  expect(await worker.exit).toBe(0);
  // Released, not left to a heartbeat timeout: queued again for another worker.
  const queued = await client.getJobById('fragilize', bossId);
  expect(queued?.state).toBe('retry');
  expect(await db.prisma.triggerSet.count({ where: { name: 'release' } })).toBe(0);
}, 180_000);

it('gives a job that waits for a model slot back to the queue at once, without starting it', async () => {
  const worker = await startWorker({
    databaseUrl: db.url,
    artifactsDir: join(db.dir, 'artifacts'),
    pollingIntervalSeconds: 0.5,
    progressIntervalMs: 100,
    shutdownTimeoutMs: 5_000,
    scheduleSyncSeconds: 0,
    log: () => {},
  });
  try {
    const { job: holder, bossId: holderBossId } = await startLongJob('slot holder', 100_000);
    await running(holder.id, () => '');
    const { project, model } = await seedModel(db.prisma, { name: 'waits' });
    const job = await db.prisma.job.create({ data: { projectId: project.id, type: 'evaluate', modelId: model.id } });
    const bossId = await enqueue(client, 'evaluate', { jobId: job.id, modelId: model.id, triggerSetId: randomUUID(), config: {} });
    await waitFor('the evaluate job to wait for the slot', async () => {
      const row = await db.prisma.job.findUniqueOrThrow({ where: { id: job.id } });
      return row.stage === 'waiting for a free slot' ? row : undefined;
    });
    const stopping = worker.stop();
    // Back in the queue for any worker while the running job still has its grace period.
    await waitFor('the waiting job to go back to the queue', async () => ((await client.getJobById('evaluate', bossId))?.state === 'retry' ? true : undefined), 4_000, 50);
    expect((await client.getJobById('fragilize', holderBossId))?.state).toBe('active');
    await stopping;
    expect(await db.prisma.job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ status: 'queued', startedAt: null, stage: 'waiting to retry' });
  } finally {
    await worker.stop();
  }
}, 180_000);
