// What the dashboard's jobs table and audit pages call: jobs.list and jobs.retry, audits.history
// (ChangeRate over time) and the per-sample detail of audits.get.
import { encodeTriggerSet } from '@modelseal/core';
import type { Prisma } from '@modelseal/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode, startHarness, uniqueSlug, type ApiCaller, type Harness } from './testing/harness.ts';

let h: Harness;
let owner: ApiCaller;
let member: ApiCaller;
let viewer: ApiCaller;
let outsider: ApiCaller;
let memberId: string;
let projectId: string;
let modelId: string;
let otherModelId: string;
let triggerSetId: string;
let secondSetId: string;
const SET_LABELS = [7, 3, 9, 1];

beforeAll(async () => {
  h = await startHarness('jobs');
  const o = await h.person('owner@example.com');
  const m = await h.person('member@example.com');
  owner = o.api;
  member = m.api;
  memberId = m.userId;
  viewer = (await h.person('viewer@example.com')).api;
  outsider = (await h.person('outsider@example.com')).api;
  await outsider.projects.create({ name: 'O', slug: uniqueSlug('o') });
  projectId = (await owner.projects.create({ name: 'P', slug: uniqueSlug('p') })).id;
  await owner.members.add({ projectId, email: 'member@example.com', role: 'member' });
  await owner.members.add({ projectId, email: 'viewer@example.com', role: 'viewer' });
  modelId = (await owner.models.register({ projectId, name: 'classifier', adapterKind: 'onnx', config: { path: 'm.onnx' } })).id;
  otherModelId = (await owner.models.register({ projectId, name: 'other', adapterKind: 'onnx', config: { path: 'o.onnx' } })).id;

  const file = encodeTriggerSet({
    inputs: { data: new Float32Array(8), shape: [4, 2] },
    labels: Int32Array.from(SET_LABELS),
    probabilities: { data: new Float32Array(40).fill(0.1), shape: [4, 10] },
    metadata: { modelFingerprint: '', modelRuntime: 'test', objective: 'margin', epsilon: 0.01, iterations: 1, createdAt: new Date().toISOString(), layout: 'flat', valueRange: [0, 1], extra: {} },
  });
  const stored = await h.deps.artifacts!.put(file, { kind: 'trigger-set' });
  const set = (name: string) => h.db.prisma.triggerSet.create({ data: { modelId, name, params: {}, artifactRef: stored.ref, sampleCount: 4 } });
  triggerSetId = (await set('first')).id;
  secondSetId = (await set('second')).id;
}, 120_000);

afterAll(async () => {
  await h?.close();
}, 60_000);

/** The pg-boss job queued for a Job row. */
async function queued(queue: 'fragilize' | 'audit' | 'evaluate', jobId: string) {
  const jobs = await h.deps.boss.findJobs<Record<string, unknown>>(queue, { data: { jobId } });
  expect(jobs, `${queue} jobs for Job row ${jobId}`).toHaveLength(1);
  return jobs[0]!.data;
}

async function finish(jobId: string, status: 'failed' | 'cancelled' | 'succeeded', extra: Prisma.JobUpdateInput = {}) {
  await h.db.prisma.job.update({ where: { id: jobId }, data: { status, finishedAt: new Date(), ...extra } });
}

describe('jobs.retry', () => {
  it('queues a failed fragilize job again with the same input, as a new Job row', async () => {
    const { jobId } = await member.triggerSets.create({ projectId, modelId, name: 'enrolment', dataset: 'mnist', count: 12, seed: 4, preset: 'junction' });
    await finish(jobId, 'failed', { error: 'out of memory' });
    const retried = await member.jobs.retry({ projectId, jobId });
    expect(retried.jobId).not.toBe(jobId);
    const [before, after] = await Promise.all([jobId, retried.jobId].map((id) => h.db.prisma.job.findUniqueOrThrow({ where: { id } })));
    expect(after).toMatchObject({ type: 'fragilize', status: 'queued', modelId, input: before!.input, createdById: memberId, error: null, finishedAt: null });
    expect(before).toMatchObject({ status: 'failed', error: 'out of memory' });
    expect(await queued('fragilize', retried.jobId)).toMatchObject({ jobId: retried.jobId, modelId, triggerSetName: 'enrolment', dataset: 'mnist', count: 12, seed: 4, preset: 'junction' });
  });

  it('queues a cancelled audit again for the same trigger set and mode', async () => {
    const { jobId } = await member.audits.run({ projectId, modelId, triggerSetId, mode: 'probability' });
    expect(await member.jobs.cancel({ projectId, jobId })).toEqual({ cancelled: true });
    const retried = await member.jobs.retry({ projectId, jobId });
    expect(await h.db.prisma.job.findUniqueOrThrow({ where: { id: retried.jobId } })).toMatchObject({ type: 'audit', status: 'queued', triggerSetId, input: { mode: 'probability' } });
    expect(await queued('audit', retried.jobId)).toMatchObject({ modelId, triggerSetId, mode: 'probability', trigger: 'manual', triggeredById: memberId });
  });

  it('queues a failed evaluation again with its study config', async () => {
    const config = { dataset: 'mnist', count: 5, seeds: [1], methods: ['ours'], attacks: [{ kind: 'noise', std: [1e-3] }] };
    const job = await h.db.prisma.job.create({ data: { projectId, type: 'evaluate', modelId, triggerSetId, input: { config }, status: 'failed', finishedAt: new Date() } });
    const retried = await owner.jobs.retry({ projectId, jobId: job.id });
    expect(await queued('evaluate', retried.jobId)).toEqual({ jobId: retried.jobId, modelId, triggerSetId, config });
  });

  it('refuses jobs that are queued, running, succeeded or still stopping, and kinds it cannot queue', async () => {
    for (const status of ['queued', 'running', 'succeeded'] as const) {
      const job = await h.db.prisma.job.create({ data: { projectId, type: 'audit', modelId, triggerSetId, input: { mode: 'label' }, status } });
      await expectCode(member.jobs.retry({ projectId, jobId: job.id }), 'BAD_REQUEST');
    }
    const stopping = await h.db.prisma.job.create({ data: { projectId, type: 'audit', modelId, triggerSetId, input: { mode: 'label' }, status: 'cancelled' } });
    await expect(member.jobs.retry({ projectId, jobId: stopping.id })).rejects.toThrow(/still stopping/);
    const verify = await h.db.prisma.job.create({ data: { projectId, type: 'verify', modelId, status: 'failed', finishedAt: new Date() } });
    await expect(member.jobs.retry({ projectId, jobId: verify.id })).rejects.toThrow(/verify jobs cannot be retried/);
    const noInput = await h.db.prisma.job.create({ data: { projectId, type: 'fragilize', modelId, status: 'failed', finishedAt: new Date() } });
    await expect(member.jobs.retry({ projectId, jobId: noInput.id })).rejects.toThrow(/stored input is incomplete/);
    const setGone = await h.db.prisma.job.create({ data: { projectId, type: 'audit', modelId, input: { mode: 'label' }, status: 'failed', finishedAt: new Date() } });
    await expect(member.jobs.retry({ projectId, jobId: setGone.id })).rejects.toThrow(/trigger set has been deleted/);
  });

  it('is not for viewers, and other projects cannot find the job', async () => {
    const job = await h.db.prisma.job.create({ data: { projectId, type: 'audit', modelId, triggerSetId, input: { mode: 'label' }, status: 'failed', finishedAt: new Date() } });
    await expectCode(viewer.jobs.retry({ projectId, jobId: job.id }), 'FORBIDDEN');
    await expectCode(outsider.jobs.retry({ projectId, jobId: job.id }), 'NOT_FOUND');
    const own = (await outsider.projects.list())[0]!.id;
    await expectCode(outsider.jobs.retry({ projectId: own, jobId: job.id }), 'NOT_FOUND');
    expect(await h.db.prisma.job.count({ where: { input: { equals: { mode: 'label' } }, status: 'queued', createdAt: { gt: job.createdAt } } })).toBe(0);
  });
});

describe('jobs.list', () => {
  it('lists newest first with model names and retryability, filtered by status, kind and model, up to a limit', async () => {
    // A project of its own, so the other tests' jobs do not show up in its lists.
    const projectId = (await owner.projects.create({ name: 'Jobs', slug: uniqueSlug('jobs') })).id;
    await owner.members.add({ projectId, email: 'viewer@example.com', role: 'viewer' });
    const modelId = (await owner.models.register({ projectId, name: 'classifier', adapterKind: 'onnx', config: { path: 'm.onnx' } })).id;
    const otherModelId = (await owner.models.register({ projectId, name: 'other', adapterKind: 'onnx', config: { path: 'o.onnx' } })).id;
    const base = Date.now();
    const make = (minutes: number, data: Omit<Prisma.JobUncheckedCreateInput, 'projectId'>) =>
      h.db.prisma.job.create({ data: { projectId, createdAt: new Date(base + minutes * 60_000), ...data } });
    const oldest = await make(1, { type: 'fragilize', modelId, status: 'failed', finishedAt: new Date(), error: 'boom', stage: 'fragilizing', progress: 0.4 });
    const middle = await make(2, { type: 'audit', modelId: otherModelId, status: 'running', startedAt: new Date(), stage: 'verifying' });
    const newest = await make(3, { type: 'evaluate', modelId, status: 'succeeded', progress: 1, finishedAt: new Date() });

    const top = await viewer.jobs.list({ projectId });
    expect(top.map((j) => j.id)).toEqual([newest.id, middle.id, oldest.id]);
    expect(top[2]).toMatchObject({ type: 'fragilize', status: 'failed', progress: 0.4, stage: 'fragilizing', error: 'boom', modelName: 'classifier', retryable: true, triggerSetId: null });
    expect(top[1]).toMatchObject({ modelName: 'other', retryable: false, startedAt: expect.any(Date), finishedAt: null, createdAt: middle.createdAt });
    expect(top[0]).toMatchObject({ retryable: false });

    expect((await viewer.jobs.list({ projectId, status: 'running' })).map((j) => j.id)).toEqual([middle.id]);
    const settled = await viewer.jobs.list({ projectId, status: ['failed', 'succeeded'], limit: 2 });
    expect(settled.map((j) => j.id)).toEqual([newest.id, oldest.id]);
    expect((await viewer.jobs.list({ projectId, modelId: otherModelId })).map((j) => j.id)).toEqual([middle.id]);
    expect((await viewer.jobs.list({ projectId, type: 'evaluate', limit: 1 })).map((j) => j.id)).toEqual([newest.id]);
    await expectCode(viewer.jobs.list({ projectId, status: [] }), 'BAD_REQUEST');
    await expectCode(outsider.jobs.list({ projectId }), 'NOT_FOUND');
  });
});

describe('audits.history and audits.get', () => {
  async function audit(minutes: number, data: Partial<Prisma.AuditUncheckedCreateInput> = {}) {
    return h.db.prisma.audit.create({
      data: { modelId, triggerSetId, mode: 'label', intact: true, changeRate: 0, changedIndices: [], queries: 4, durationMs: 30, trigger: 'schedule', createdAt: new Date(Date.UTC(2030, 0, 1, 0, minutes)), ...data },
    });
  }

  it('answers ChangeRate over time, oldest first, the latest `limit` audits, per model and optionally per trigger set', async () => {
    const a = await audit(1);
    const b = await audit(2, { intact: false, changeRate: 0.25, changedIndices: [1], trigger: 'manual' });
    const c = await audit(3, { triggerSetId: secondSetId, mode: 'probability', durationMs: 45 });
    await audit(4, { modelId: otherModelId });

    const history = await viewer.audits.history({ projectId, modelId });
    expect(history.map((x) => x.id)).toEqual([a.id, b.id, c.id]);
    expect(history[1]).toEqual({ id: b.id, createdAt: b.createdAt, changeRate: 0.25, intact: false, mode: 'label', trigger: 'manual', triggerSetId, queries: 4, durationMs: 30 });
    expect((await viewer.audits.history({ projectId, modelId, limit: 2 })).map((x) => x.id)).toEqual([b.id, c.id]);
    expect((await viewer.audits.history({ projectId, modelId, triggerSetId: secondSetId })).map((x) => x.id)).toEqual([c.id]);
    await expectCode(outsider.audits.history({ projectId, modelId }), 'NOT_FOUND');
    const own = (await outsider.projects.list())[0]!.id;
    await expectCode(outsider.audits.history({ projectId: own, modelId }), 'NOT_FOUND');
  });

  it('details each changed sample: expected and observed labels as the audit job recorded them', async () => {
    const job = await h.db.prisma.job.create({
      data: {
        projectId,
        type: 'audit',
        modelId,
        triggerSetId,
        status: 'succeeded',
        result: { intact: false, changeRate: 0.5, changed: [{ index: 0, expected: 7, observed: 2 }, { index: 2, expected: 9, observed: 9, maxDelta: 0.003 }] },
      },
    });
    const row = await audit(10, { intact: false, changeRate: 0.25, changedIndices: [0, 2], mode: 'probability', jobId: job.id });
    const detail = await viewer.audits.get({ projectId, auditId: row.id });
    expect(detail).toMatchObject({ id: row.id, intact: false, changedIndices: [0, 2] });
    expect(detail.changed).toEqual([
      { index: 0, expected: 7, observed: 2, maxDelta: null },
      { index: 2, expected: 9, observed: 9, maxDelta: 0.003 },
    ]);
    expect(detail).not.toHaveProperty('job');
  });

  it('falls back to the trigger set for expected labels when nothing was recorded (scheduled audits)', async () => {
    const row = await audit(11, { intact: false, changeRate: 0.5, changedIndices: [1, 3] });
    expect((await viewer.audits.get({ projectId, auditId: row.id })).changed).toEqual([
      { index: 1, expected: SET_LABELS[1], observed: null, maxDelta: null },
      { index: 3, expected: SET_LABELS[3], observed: null, maxDelta: null },
    ]);
    expect((await viewer.audits.get({ projectId, auditId: (await audit(12)).id })).changed).toEqual([]);
  });
});
