/**
 * Load script (not a test): audits per minute with N worker processes sharing one queue,
 * on the small MNIST demo model (TF.js). It starts a throw-away embedded PostgreSQL,
 * seals the model once, then enqueues audits and times them to the last Audit row.
 *   pnpm --filter @modelseal/worker exec tsx bench/audits-per-minute.ts [--workers 2] [--audits 200] [--samples 100]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { enqueue } from '@modelseal/jobs';
import { MODEL_ROOTS_ENV } from '@modelseal/artifacts';
import { createJobRow, openTestDatabase, seedModel, startQueueClient, TEST_MODEL_ROOTS, waitFor } from '../src/testing/database.ts';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '2' },
    audits: { type: 'string', default: '200' },
    samples: { type: 'string', default: '100' },
  },
});
const workers = Number(values.workers);
const audits = Number(values.audits);
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

const db = await openTestDatabase('load');
const artifactsDir = join(db.dir, 'artifacts');
const children: ChildProcess[] = [];
try {
  for (let i = 0; i < workers; i++) {
    children.push(
      spawn(process.execPath, ['--import', 'tsx', MAIN], {
        env: { ...process.env, DATABASE_URL: db.url, MODELSEAL_ARTIFACTS_DIR: artifactsDir, MODELSEAL_WORKER_POLL_SECONDS: '0.5', [MODEL_ROOTS_ENV]: TEST_MODEL_ROOTS },
        stdio: ['ignore', 'ignore', 'inherit'],
      }),
    );
  }
  const boss = await startQueueClient(db.url);
  const { project, model } = await seedModel(db.prisma);
  const finished = (jobId: string) =>
    waitFor(`job ${jobId}`, async () => {
      const row = await db.prisma.job.findUniqueOrThrow({ where: { id: jobId } });
      return row.finishedAt ? row : undefined;
    }, 600_000, 250);

  const sealing = await createJobRow(db.prisma, project.id, 'fragilize', model.id);
  await enqueue(boss, 'fragilize', { jobId: sealing.id, modelId: model.id, triggerSetName: 'load', dataset: 'mnist', count: Number(values.samples), seed: 1 });
  const sealed = await finished(sealing.id);
  if (sealed.status !== 'succeeded' || !sealed.triggerSetId) throw new Error(`fragilize failed: ${sealed.error ?? sealed.status}`);
  console.error(`sealed ${values.samples} samples; enqueueing ${audits} audits for ${workers} worker(s) …`);

  const started = performance.now();
  const jobIds: string[] = [];
  for (let i = 0; i < audits; i++) {
    const job = await createJobRow(db.prisma, project.id, 'audit', model.id);
    await enqueue(boss, 'audit', { jobId: job.id, modelId: model.id, triggerSetId: sealed.triggerSetId, trigger: 'manual' });
    jobIds.push(job.id);
  }
  await waitFor('all audits', async () => {
    const done = await db.prisma.job.count({ where: { id: { in: jobIds }, finishedAt: { not: null } } });
    return done === audits ? done : undefined;
  }, 1_800_000, 250);
  const seconds = (performance.now() - started) / 1000;
  const failed = await db.prisma.job.count({ where: { id: { in: jobIds }, status: { not: 'succeeded' } } });
  const intact = await db.prisma.audit.count({ where: { jobId: { in: jobIds }, intact: true } });
  console.log(
    `${audits} audits of ${values.samples} trigger samples with ${workers} worker(s): ${seconds.toFixed(1)} s, ` +
      `${((audits / seconds) * 60).toFixed(0)} audits/minute (${failed} failed, ${intact} intact)`,
  );
  await boss.stop({ graceful: false });
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 2000));
  await db.close();
}
