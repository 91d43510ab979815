// Roles inside one project: viewers see results but never trigger-set inputs; only owners administer.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode, startHarness, uniqueSlug, type ApiCaller, type Harness } from './testing/harness.ts';

let h: Harness;
let owner: ApiCaller;
let member: ApiCaller;
let viewer: ApiCaller;
let viewerKey: ApiCaller;
let projectId: string;
let modelId: string;
let triggerSetId: string;
let auditId: string;
let ownerId: string;
let memberId: string;
let viewerId: string;
const FILE = Buffer.from('pretend safetensors bytes');

beforeAll(async () => {
  h = await startHarness('roles');
  const o = await h.person('owner@example.com');
  const m = await h.person('member@example.com');
  const v = await h.person('viewer@example.com');
  [owner, member, viewer, ownerId, memberId, viewerId] = [o.api, m.api, v.api, o.userId, m.userId, v.userId];
  projectId = (await owner.projects.create({ name: 'P', slug: uniqueSlug('p') })).id;
  await owner.members.add({ projectId, email: 'member@example.com', role: 'member' });
  await owner.members.add({ projectId, email: 'VIEWER@example.com', role: 'viewer' });
  viewerKey = await h.bearer((await owner.apiKeys.create({ projectId, name: 'dashboard', role: 'viewer' })).key);

  modelId = (await member.models.register({ projectId, name: 'm', adapterKind: 'onnx', config: { path: 'm.onnx' } })).id;
  await mkdir(join(h.deps.artifactsDir, 'trigger-sets'), { recursive: true });
  await writeFile(join(h.deps.artifactsDir, 'trigger-sets/t.safetensors'), FILE);
  const set = await h.db.prisma.triggerSet.create({ data: { modelId, name: 'ts', params: { count: 1 }, stats: { samples: 1 }, artifactRef: 'trigger-sets/t.safetensors', sampleCount: 1 } });
  triggerSetId = set.id;
  auditId = (
    await h.db.prisma.audit.create({
      data: { modelId, triggerSetId, mode: 'label', intact: false, changeRate: 0.5, changedIndices: [0], queries: 1, durationMs: 1, trigger: 'manual' },
    })
  ).id;
}, 120_000);

afterAll(async () => {
  await h?.close();
}, 60_000);

describe('viewers', () => {
  it('cannot download trigger-set inputs, as a person or as a viewer key; members can', async () => {
    await expectCode(viewer.triggerSets.downloadInputs({ projectId, triggerSetId }), 'FORBIDDEN');
    await expectCode(viewerKey.triggerSets.downloadInputs({ projectId, triggerSetId }), 'FORBIDDEN');
    const download = await member.triggerSets.downloadInputs({ projectId, triggerSetId });
    expect(Buffer.from(download.base64, 'base64').equals(FILE)).toBe(true);
  });

  it('see audit results, trigger-set metadata (without the file reference) and the model list', async () => {
    for (const api of [viewer, viewerKey]) {
      expect(await api.audits.get({ projectId, auditId })).toMatchObject({ intact: false, changeRate: 0.5 });
      expect((await api.audits.list({ projectId, modelId })).map((a) => a.id)).toEqual([auditId]);
      const meta = await api.triggerSets.get({ projectId, triggerSetId });
      expect(meta).toMatchObject({ name: 'ts', sampleCount: 1 });
      expect(meta).not.toHaveProperty('artifactRef');
      const models = await api.models.list({ projectId });
      expect(models[0]).toMatchObject({ id: modelId, latestAudit: { id: auditId, intact: false } });
    }
  });

  it('change nothing: no audits, trigger sets, models, keys or webhooks', async () => {
    await expectCode(viewer.audits.run({ projectId, modelId, triggerSetId }), 'FORBIDDEN');
    await expectCode(viewerKey.audits.runAndWait({ projectId, modelId, triggerSetId, timeoutMs: 0 }), 'FORBIDDEN');
    await expectCode(viewer.triggerSets.create({ projectId, modelId, name: 'x', dataset: 'mnist', count: 2 }), 'FORBIDDEN');
    await expectCode(viewer.models.register({ projectId, name: 'x', adapterKind: 'onnx', config: {} }), 'FORBIDDEN');
    await expectCode(viewer.apiKeys.list({ projectId }), 'FORBIDDEN');
    await expectCode(viewer.webhooks.list({ projectId }), 'FORBIDDEN');
    expect(await h.db.prisma.job.count()).toBe(0);
  });
});

describe('members and owners', () => {
  it('a member can run an audit (a queued job) but cannot manage members, keys or webhooks', async () => {
    const { jobId } = await member.audits.run({ projectId, modelId, triggerSetId });
    expect(await member.jobs.get({ projectId, jobId })).toMatchObject({ type: 'audit', status: 'queued', auditId: null });
    expect(await member.jobs.cancel({ projectId, jobId })).toEqual({ cancelled: true });
    expect(await member.jobs.get({ projectId, jobId })).toMatchObject({ status: 'cancelled' });
    // With no worker running, runAndWait gives up at its timeout and hands back the job to poll.
    const waited = await member.audits.runAndWait({ projectId, modelId, triggerSetId, timeoutMs: 0 });
    expect(waited).toMatchObject({ done: false, status: 'queued', audit: null });
    expect(await member.audits.byJob({ projectId, jobId: waited.jobId })).toMatchObject({ job: { id: waited.jobId }, audit: null });
    await expectCode(member.members.add({ projectId, email: 'owner@example.com', role: 'viewer' }), 'FORBIDDEN');
    await expectCode(member.members.changeRole({ projectId, userId: memberId, role: 'owner' }), 'FORBIDDEN');
    await expectCode(member.apiKeys.create({ projectId, name: 'k' }), 'FORBIDDEN');
    await expectCode(member.webhooks.create({ projectId, url: 'https://example.com/h' }), 'FORBIDDEN');
  });

  it('an owner changes roles, but the last owner cannot leave or be demoted', async () => {
    await owner.members.changeRole({ projectId, userId: viewerId, role: 'member' });
    expect((await viewer.triggerSets.downloadInputs({ projectId, triggerSetId })).base64).toBeTruthy();
    await owner.members.changeRole({ projectId, userId: viewerId, role: 'viewer' });
    await expectCode(viewer.triggerSets.downloadInputs({ projectId, triggerSetId }), 'FORBIDDEN');

    await expectCode(owner.members.changeRole({ projectId, userId: ownerId, role: 'member' }), 'BAD_REQUEST');
    await expectCode(owner.members.remove({ projectId, userId: ownerId }), 'BAD_REQUEST');
    await owner.members.remove({ projectId, userId: memberId });
    await expectCode(member.models.list({ projectId }), 'NOT_FOUND');
  });

  it('never reads a trigger-set file outside the artifacts folder, whatever its row says', async () => {
    const set = await h.db.prisma.triggerSet.create({ data: { modelId, name: 'escape', params: {}, artifactRef: '../../../../etc/passwd', sampleCount: 1 } });
    await expectCode(owner.triggerSets.downloadInputs({ projectId, triggerSetId: set.id }), 'INTERNAL_SERVER_ERROR');
  });

  it('rejects an unknown adapter kind at registration', async () => {
    await expectCode(owner.models.register({ projectId, name: 'odd', adapterKind: 'pickle', config: {} }), 'BAD_REQUEST');
  });
});
