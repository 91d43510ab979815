import { join } from 'node:path';
import { createArtifactStore } from '@modelseal/artifacts';
import { decodeTriggerSet, encodeTriggerSet } from '@modelseal/core';
import { enqueue } from '@modelseal/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobRow, openTestDatabase, seedModel, waitFor, type TestDatabase } from './testing/database.ts';
import { startWorker, type RunningWorker } from './worker.ts';

const ARTIFACT_KEY = '7'.repeat(64);
let db: TestDatabase;
let worker: RunningWorker;
const lines: string[] = [];

beforeAll(async () => {
  db = await openTestDatabase('worker');
  worker = await startWorker({
    databaseUrl: db.url,
    artifactsDir: join(db.dir, 'artifacts'),
    artifactKey: ARTIFACT_KEY,
    pollingIntervalSeconds: 0.5,
    superviseIntervalSeconds: 2,
    progressIntervalMs: 100,
    cancelPollMs: 200,
    shutdownTimeoutMs: 5_000,
    log: (line) => lines.push(line),
  });
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await db?.close();
}, 60_000);

const finished = (jobId: string) =>
  waitFor(`job ${jobId} to finish`, async () => {
    const row = await db.prisma.job.findUniqueOrThrow({ where: { id: jobId } });
    return row.finishedAt ? row : undefined;
  }, 90_000);

describe('worker', () => {
  let triggerSetId: string;
  let modelId: string;
  let projectId: string;

  it('fragilizes a registered model into a stored trigger set and records it', async () => {
    const { project, model } = await seedModel(db.prisma);
    modelId = model.id;
    projectId = project.id;
    const job = await createJobRow(db.prisma, project.id, 'fragilize', model.id);
    await enqueue(worker.boss, 'fragilize', { jobId: job.id, modelId: model.id, triggerSetName: 'first', dataset: 'mnist', count: 6, seed: 3 });

    const row = await finished(job.id);
    expect(row.status).toBe('succeeded');
    expect(row.progress).toBe(1);
    expect(row.triggerSetId).toBeTruthy();
    const set = await db.prisma.triggerSet.findUniqueOrThrow({ where: { id: row.triggerSetId! } });
    expect(set.sampleCount).toBe(6);
    expect(set.name).toBe('first');
    // Stored content-addressed and encrypted at rest: the bytes on disk are not a safetensors file.
    expect(set.artifactRef).toMatch(/^sha256:[0-9a-f]{64}$/);
    const store = createArtifactStore({ root: join(db.dir, 'artifacts'), encryptionKey: ARTIFACT_KEY });
    expect((await store.stat(set.artifactRef))?.encrypted).toBe(true);
    const decoded = decodeTriggerSet(await store.get(set.artifactRef));
    expect(decoded.triggerSet.labels).toHaveLength(6);
    // The default preset probed which tied class to put on top with a fine-tune on MNIST training images.
    const tieTop = (set.stats as { tieTop?: { chosen: string; flips: unknown } }).tieTop;
    expect(tieTop?.flips).toEqual({ runnerUp: expect.any(Number), last: expect.any(Number) });
    expect((decoded.triggerSet.metadata.extra as { tieTop?: { chosen: string } }).tieTop?.chosen).toBe(tieTop?.chosen);
    triggerSetId = set.id;
  }, 120_000);

  it('audits the unchanged model as intact and writes an Audit row', async () => {
    const job = await createJobRow(db.prisma, projectId, 'audit', modelId);
    await enqueue(worker.boss, 'audit', { jobId: job.id, modelId, triggerSetId, trigger: 'manual' });
    const row = await finished(job.id);
    expect(row.status).toBe('succeeded');
    const audit = await db.prisma.audit.findFirstOrThrow({ where: { jobId: job.id } });
    expect(audit.intact).toBe(true);
    expect(audit.changeRate).toBe(0);
    expect(audit.trigger).toBe('manual');
    expect(audit.queries).toBeGreaterThanOrEqual(6);
    expect(row.result).toMatchObject({ auditId: audit.id, intact: true, changed: [] });
  }, 120_000);

  it('records the expected and observed label of every changed sample in the Job row, and no inputs', async () => {
    // A copy of the enrolled set whose recorded labels are off by one: every answer "changed".
    const store = createArtifactStore({ root: join(db.dir, 'artifacts'), encryptionKey: ARTIFACT_KEY });
    const enrolled = await db.prisma.triggerSet.findUniqueOrThrow({ where: { id: triggerSetId } });
    const set = decodeTriggerSet(await store.get(enrolled.artifactRef)).triggerSet;
    const shifted = { ...set, labels: set.labels.map((label) => (label + 1) % 10) };
    const stored = await store.put(encodeTriggerSet(shifted), { kind: 'trigger-set' });
    const forged = await db.prisma.triggerSet.create({ data: { modelId, name: 'shifted', params: {}, artifactRef: stored.ref, sampleCount: set.labels.length } });

    const job = await createJobRow(db.prisma, projectId, 'audit', modelId);
    await enqueue(worker.boss, 'audit', { jobId: job.id, modelId, triggerSetId: forged.id, trigger: 'manual' });
    const row = await finished(job.id);
    const audit = await db.prisma.audit.findFirstOrThrow({ where: { jobId: job.id } });
    expect(audit).toMatchObject({ intact: false, changeRate: 1, changedIndices: [...set.labels.keys()] });
    expect(row.result).toMatchObject({ intact: false, changed: Array.from(set.labels, (observed, index) => ({ index, expected: (observed + 1) % 10, observed })) });
    expect(Object.keys((row.result as { changed: object[] }).changed[0]!).sort()).toEqual(['expected', 'index', 'observed']);
  }, 120_000);

  it('runs an evaluation study on a registered model and stores its report', async () => {
    const job = await db.prisma.job.create({ data: { projectId, type: 'evaluate', modelId } });
    const config = { dataset: 'mnist', count: 5, seeds: [1], methods: ['random', 'ours'], traceSamples: 0, attacks: [{ kind: 'noise', std: [1e-3] }] };
    await enqueue(worker.boss, 'evaluate', { jobId: job.id, modelId, triggerSetId, config });
    const row = await finished(job.id);
    expect(row.status).toBe('succeeded');
    const result = row.result as { reportRef: string; tables: string };
    expect(result.tables).toMatch(/Ours \(default\)/);
    const store = createArtifactStore({ root: join(db.dir, 'artifacts'), encryptionKey: ARTIFACT_KEY });
    const report = JSON.parse(new TextDecoder().decode(await store.get(result.reportRef)));
    const ours = report.cells.find((c: { method: string }) => c.method === 'ours');
    // Noise of std 1e-3 on every weight flips fragile samples of the small CNN.
    expect(ours.changeRate).toBeGreaterThan(0);
    expect(report.methods.map((m: { method: string }) => m.method)).toEqual(['random', 'ours']);
  }, 180_000);

  it('stops a running job cancelled through its Job row and keeps no trigger set', async () => {
    const job = await createJobRow(db.prisma, projectId, 'fragilize', modelId);
    // The paper's fixed loop with many iterations: long enough to be caught running.
    await enqueue(worker.boss, 'fragilize', { jobId: job.id, modelId, triggerSetName: 'cancelled', dataset: 'mnist', count: 10, preset: 'paper', maxIterations: 100_000 });
    await waitFor('progress', async () => {
      const row = await db.prisma.job.findUniqueOrThrow({ where: { id: job.id } });
      return row.progress > 0 ? row : undefined;
    });
    await db.prisma.job.update({ where: { id: job.id }, data: { status: 'cancelled' } });
    const row = await finished(job.id);
    expect(row.status).toBe('cancelled');
    expect(row.progress).toBeLessThan(1);
    expect(await db.prisma.triggerSet.count({ where: { name: 'cancelled' } })).toBe(0);
  }, 120_000);

  it('runs one model-heavy job at a time: an evaluate job waits for the running fragilize job', async () => {
    const fragilizeJob = await createJobRow(db.prisma, projectId, 'fragilize', modelId);
    await enqueue(worker.boss, 'fragilize', { jobId: fragilizeJob.id, modelId, triggerSetName: 'holds the slot', dataset: 'mnist', count: 4, preset: 'paper', maxIterations: 100_000 });
    await waitFor('the fragilize job to run', async () => {
      const row = await db.prisma.job.findUniqueOrThrow({ where: { id: fragilizeJob.id } });
      return row.progress > 0 ? row : undefined;
    });
    const evaluateJob = await db.prisma.job.create({ data: { projectId, type: 'evaluate', modelId, triggerSetId } });
    // A study config that fails validation ends the job the moment it starts: only when it starts matters.
    const bossId = await enqueue(worker.boss, 'evaluate', { jobId: evaluateJob.id, modelId, triggerSetId, config: { count: -1 } });
    // Fetched by this worker (the default concurrency is 1) and waiting, visibly, without starting.
    const waiting = await waitFor('the evaluate job to wait for the slot', async () => {
      const row = await db.prisma.job.findUniqueOrThrow({ where: { id: evaluateJob.id } });
      return row.stage === 'waiting for a free slot' ? row : undefined;
    });
    expect(waiting).toMatchObject({ status: 'queued', startedAt: null });
    expect((await worker.boss.getJobById('evaluate', bossId))?.state).toBe('active');
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await db.prisma.job.findUniqueOrThrow({ where: { id: evaluateJob.id } })).toMatchObject({ status: 'queued', startedAt: null });

    await db.prisma.job.update({ where: { id: fragilizeJob.id }, data: { status: 'cancelled' } });
    const fragilized = await finished(fragilizeJob.id);
    const evaluated = await finished(evaluateJob.id);
    expect(fragilized.status).toBe('cancelled');
    expect(evaluated).toMatchObject({ status: 'failed', error: expect.stringMatching(/count/) });
    expect(evaluated.startedAt!.getTime()).toBeGreaterThanOrEqual(fragilized.finishedAt!.getTime());
    // The wait was one attempt, held by this worker throughout: not retried, not taken over.
    expect(await worker.boss.getJobById('evaluate', bossId)).toMatchObject({ retryCount: 0 });
  }, 120_000);

  it('fails at once, without retries, when the model cannot be opened', async () => {
    const { project, model } = await seedModel(db.prisma, { adapterKind: 'no-such-runtime', name: 'broken' });
    const job = await createJobRow(db.prisma, project.id, 'fragilize', model.id);
    const bossId = await enqueue(worker.boss, 'fragilize', { jobId: job.id, modelId: model.id, triggerSetName: 'x', dataset: 'mnist', count: 2 });
    const row = await finished(job.id);
    expect(row.status).toBe('failed');
    expect(row.error).toMatch(/no-such-runtime/);
    const queued = await worker.boss.getJobById('fragilize', bossId);
    expect(queued?.retryCount).toBe(0);
  }, 120_000);
});

describe('jobs pg-boss gives up on', () => {
  it('marks the Job row failed when the last attempt is lost, not left running', async () => {
    const { project, model } = await seedModel(db.prisma, { name: 'abandoned' });
    const job = await createJobRow(db.prisma, project.id, 'fragilize', model.id);
    await db.prisma.job.update({ where: { id: job.id }, data: { status: 'running' } });
    // A worker that claimed the last attempt and then vanished: its claim is failed for it,
    // as pg-boss' supervisor does when the heartbeat stops (takeover.test.ts shows that part).
    const bossId = await worker.boss.send(
      'fragilize',
      { jobId: job.id, modelId: model.id, triggerSetName: 'x', dataset: 'mnist', count: 2 },
      { retryLimit: 0, startAfter: new Date(Date.now() + 3_600_000) },
    );
    await worker.boss.fail('fragilize', bossId!, { message: 'worker lost' });
    const row = await finished(job.id);
    expect(row.status).toBe('failed');
    expect(row.error).toMatch(/gave up/);
  }, 60_000);
});
