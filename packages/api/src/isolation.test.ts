// Project isolation: a caller from project A (an API key or a person) reaches nothing of
// project B, through any router, and cannot even learn that B's rows exist (NOT_FOUND).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode, startHarness, uniqueSlug, type ApiCaller, type Harness } from './testing/harness.ts';

let h: Harness;
let keyA: ApiCaller;
let alice: ApiCaller;
let projectA: string;
const b = { projectId: '', modelId: '', triggerSetId: '', auditId: '', jobId: '', scheduleId: '', webhookId: '', apiKeyId: '', bobId: '' };

beforeAll(async () => {
  h = await startHarness('isolation');
  const a = await h.person('alice@example.com');
  alice = a.api;
  projectA = (await alice.projects.create({ name: 'A', slug: uniqueSlug('a') })).id;
  keyA = await h.bearer((await alice.apiKeys.create({ projectId: projectA, name: 'ci-a' })).key);

  const bob = await h.person('bob@example.com');
  b.bobId = bob.userId;
  b.projectId = (await bob.api.projects.create({ name: 'B', slug: uniqueSlug('b') })).id;
  b.modelId = (await bob.api.models.register({ projectId: b.projectId, name: 'm', adapterKind: 'onnx', config: { path: 'model.onnx' } })).id;
  const set = await h.db.prisma.triggerSet.create({ data: { modelId: b.modelId, name: 'ts', params: {}, artifactRef: 'trigger-sets/b.safetensors', sampleCount: 1 } });
  b.triggerSetId = set.id;
  const job = await h.db.prisma.job.create({ data: { projectId: b.projectId, type: 'audit', modelId: b.modelId, triggerSetId: set.id } });
  b.jobId = job.id;
  const audit = await h.db.prisma.audit.create({
    data: { modelId: b.modelId, triggerSetId: set.id, mode: 'label', intact: true, changeRate: 0, changedIndices: [], queries: 1, durationMs: 1, trigger: 'manual', jobId: job.id },
  });
  b.auditId = audit.id;
  b.scheduleId = (await bob.api.schedules.create({ projectId: b.projectId, modelId: b.modelId, triggerSetId: set.id, cron: '0 3 * * *' })).id;
  b.webhookId = (await bob.api.webhooks.create({ projectId: b.projectId, url: 'https://example.com/hook' })).id;
  b.apiKeyId = (await bob.api.apiKeys.create({ projectId: b.projectId, name: 'ci-b' })).id;
}, 120_000);

afterAll(async () => {
  await h?.close();
}, 60_000);

/** Every procedure that takes a projectId, called on project B with B's own ids. */
function callsOnB(api: ApiCaller): [string, () => Promise<unknown>][] {
  const p = b.projectId;
  return [
    ['projects.get', () => api.projects.get({ projectId: p })],
    ['members.list', () => api.members.list({ projectId: p })],
    ['members.add', () => api.members.add({ projectId: p, email: 'alice@example.com', role: 'owner' })],
    ['members.changeRole', () => api.members.changeRole({ projectId: p, userId: b.bobId, role: 'viewer' })],
    ['members.remove', () => api.members.remove({ projectId: p, userId: b.bobId })],
    ['apiKeys.create', () => api.apiKeys.create({ projectId: p, name: 'stolen' })],
    ['apiKeys.list', () => api.apiKeys.list({ projectId: p })],
    ['apiKeys.revoke', () => api.apiKeys.revoke({ projectId: p, apiKeyId: b.apiKeyId })],
    ['models.register', () => api.models.register({ projectId: p, name: 'x', adapterKind: 'onnx', config: { path: 'x.onnx' } })],
    ['models.list', () => api.models.list({ projectId: p })],
    ['models.get', () => api.models.get({ projectId: p, modelId: b.modelId })],
    ['triggerSets.create', () => api.triggerSets.create({ projectId: p, modelId: b.modelId, name: 'x', dataset: 'mnist', count: 2 })],
    ['triggerSets.list', () => api.triggerSets.list({ projectId: p })],
    ['triggerSets.get', () => api.triggerSets.get({ projectId: p, triggerSetId: b.triggerSetId })],
    ['triggerSets.downloadInputs', () => api.triggerSets.downloadInputs({ projectId: p, triggerSetId: b.triggerSetId })],
    ['jobs.list', () => api.jobs.list({ projectId: p })],
    ['jobs.get', () => api.jobs.get({ projectId: p, jobId: b.jobId })],
    ['jobs.cancel', () => api.jobs.cancel({ projectId: p, jobId: b.jobId })],
    ['audits.run', () => api.audits.run({ projectId: p, modelId: b.modelId, triggerSetId: b.triggerSetId })],
    ['audits.runAndWait', () => api.audits.runAndWait({ projectId: p, modelId: b.modelId, triggerSetId: b.triggerSetId, timeoutMs: 0 })],
    ['audits.get', () => api.audits.get({ projectId: p, auditId: b.auditId })],
    ['audits.list', () => api.audits.list({ projectId: p, modelId: b.modelId })],
    ['audits.byJob', () => api.audits.byJob({ projectId: p, jobId: b.jobId })],
    ['schedules.list', () => api.schedules.list({ projectId: p })],
    ['schedules.create', () => api.schedules.create({ projectId: p, modelId: b.modelId, triggerSetId: b.triggerSetId, cron: '0 4 * * *' })],
    ['schedules.update', () => api.schedules.update({ projectId: p, scheduleId: b.scheduleId, enabled: false })],
    ['schedules.delete', () => api.schedules.delete({ projectId: p, scheduleId: b.scheduleId })],
    ['webhooks.list', () => api.webhooks.list({ projectId: p })],
    ['webhooks.create', () => api.webhooks.create({ projectId: p, url: 'https://evil.example.com' })],
    ['webhooks.update', () => api.webhooks.update({ projectId: p, webhookId: b.webhookId, url: 'https://evil.example.com' })],
    ['webhooks.delete', () => api.webhooks.delete({ projectId: p, webhookId: b.webhookId })],
  ];
}

/** B's ids smuggled in under project A, where the caller does have rights. */
function smuggledIntoA(api: ApiCaller, owner: boolean): [string, () => Promise<unknown>][] {
  const p = projectA;
  const calls: [string, () => Promise<unknown>][] = [
    ['models.get', () => api.models.get({ projectId: p, modelId: b.modelId })],
    ['triggerSets.create', () => api.triggerSets.create({ projectId: p, modelId: b.modelId, name: 'x', dataset: 'mnist', count: 2 })],
    ['triggerSets.get', () => api.triggerSets.get({ projectId: p, triggerSetId: b.triggerSetId })],
    ['triggerSets.downloadInputs', () => api.triggerSets.downloadInputs({ projectId: p, triggerSetId: b.triggerSetId })],
    ['jobs.get', () => api.jobs.get({ projectId: p, jobId: b.jobId })],
    ['jobs.cancel', () => api.jobs.cancel({ projectId: p, jobId: b.jobId })],
    ['audits.run', () => api.audits.run({ projectId: p, modelId: b.modelId, triggerSetId: b.triggerSetId })],
    ['audits.get', () => api.audits.get({ projectId: p, auditId: b.auditId })],
    ['audits.list', () => api.audits.list({ projectId: p, modelId: b.modelId })],
    ['audits.byJob', () => api.audits.byJob({ projectId: p, jobId: b.jobId })],
    ['schedules.create', () => api.schedules.create({ projectId: p, modelId: b.modelId, triggerSetId: b.triggerSetId, cron: '0 4 * * *' })],
    ['schedules.update', () => api.schedules.update({ projectId: p, scheduleId: b.scheduleId, enabled: false })],
    ['schedules.delete', () => api.schedules.delete({ projectId: p, scheduleId: b.scheduleId })],
  ];
  // Only owners manage keys: a member key is stopped by its role (FORBIDDEN) before any lookup.
  if (owner) calls.push(['apiKeys.revoke', () => api.apiKeys.revoke({ projectId: p, apiKeyId: b.apiKeyId })]);
  return calls;
}

async function expectBUntouched(): Promise<void> {
  const prisma = h.db.prisma;
  expect(await prisma.job.count({ where: { projectId: b.projectId } })).toBe(1);
  expect((await prisma.job.findUniqueOrThrow({ where: { id: b.jobId } })).status).toBe('queued');
  expect(await prisma.model.count({ where: { projectId: b.projectId } })).toBe(1);
  expect(await prisma.membership.findMany({ where: { projectId: b.projectId } })).toMatchObject([{ userId: b.bobId, role: 'owner' }]);
  expect(await prisma.apiKey.findUniqueOrThrow({ where: { id: b.apiKeyId } })).toMatchObject({ revokedAt: null });
  expect(await prisma.apiKey.count({ where: { projectId: b.projectId } })).toBe(1);
  expect(await prisma.auditSchedule.findUniqueOrThrow({ where: { id: b.scheduleId } })).toMatchObject({ enabled: true, cron: '0 3 * * *' });
  expect(await prisma.alertWebhook.findMany({ where: { projectId: b.projectId } })).toMatchObject([{ url: 'https://example.com/hook' }]);
}

describe('project isolation', () => {
  it('an API key of project A gets NOT_FOUND for every procedure on project B', async () => {
    // Control: the key does work in its own project.
    expect(await keyA.models.list({ projectId: projectA })).toEqual([]);
    const calls = callsOnB(keyA);
    expect(calls).toHaveLength(31);
    for (const [name, call] of calls) await expectCode(call(), 'NOT_FOUND').catch((e: unknown) => Promise.reject(new Error(`${name}: ${String(e)}`)));
    await expectBUntouched();
  });

  it('an API key of project A gets NOT_FOUND for B ids passed under project A', async () => {
    for (const [name, call] of smuggledIntoA(keyA, false)) await expectCode(call(), 'NOT_FOUND').catch((e: unknown) => Promise.reject(new Error(`${name}: ${String(e)}`)));
    await expectBUntouched();
    expect(await h.db.prisma.job.count({ where: { projectId: projectA } })).toBe(0);
  });

  it('a person who owns A but is not in B is treated the same way', async () => {
    for (const [name, call] of [...callsOnB(alice), ...smuggledIntoA(alice, true)]) {
      await expectCode(call(), 'NOT_FOUND').catch((e: unknown) => Promise.reject(new Error(`${name}: ${String(e)}`)));
    }
    await expectBUntouched();
    expect((await alice.projects.list()).map((p) => p.id)).toEqual([projectA]);
  });

  it('answers the same for a project id that does not exist at all', async () => {
    await expectCode(keyA.models.list({ projectId: '00000000-0000-4000-8000-000000000000' }), 'NOT_FOUND');
  });
});
