// Audit schedules and alert webhooks: CRUD inside a project, copied into pg-boss at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode, startHarness, uniqueSlug, type ApiCaller, type Harness } from './testing/harness.ts';

let h: Harness;
let owner: ApiCaller;
let member: ApiCaller;
let projectId: string;
let modelId: string;
let triggerSetId: string;

beforeAll(async () => {
  h = await startHarness('settings');
  owner = (await h.person('owner@example.com')).api;
  member = (await h.person('member@example.com')).api;
  projectId = (await owner.projects.create({ name: 'S', slug: uniqueSlug('s') })).id;
  await owner.members.add({ projectId, email: 'member@example.com', role: 'member' });
  modelId = (await owner.models.register({ projectId, name: 'm', adapterKind: 'http', config: { url: 'https://example.com/v2/models/m' } })).id;
  triggerSetId = (await h.db.prisma.triggerSet.create({ data: { modelId, name: 'ts', params: {}, artifactRef: 'trigger-sets/x.safetensors', sampleCount: 1 } })).id;
}, 120_000);

afterAll(async () => {
  await h?.close();
}, 60_000);

describe('schedules', () => {
  it('creates, pauses and deletes a schedule, keeping pg-boss in step', async () => {
    const schedule = await member.schedules.create({ projectId, modelId, triggerSetId, cron: '15 2 * * *' });
    expect((await h.deps.boss.getSchedules('audit')).map((s) => [s.key, s.cron])).toEqual([[schedule.id, '15 2 * * *']]);

    await member.schedules.update({ projectId, scheduleId: schedule.id, enabled: false });
    expect(await h.deps.boss.getSchedules('audit')).toEqual([]);
    expect(await member.schedules.list({ projectId })).toMatchObject([{ id: schedule.id, enabled: false }]);

    await member.schedules.update({ projectId, scheduleId: schedule.id, enabled: true, cron: '0 * * * *' });
    expect((await h.deps.boss.getSchedules('audit')).map((s) => s.cron)).toEqual(['0 * * * *']);

    await member.schedules.delete({ projectId, scheduleId: schedule.id });
    expect(await member.schedules.list({ projectId })).toEqual([]);
    expect(await h.deps.boss.getSchedules('audit')).toEqual([]);
  });

  it('refuses a malformed cron expression', async () => {
    await expectCode(member.schedules.create({ projectId, modelId, triggerSetId, cron: 'every day' }), 'BAD_REQUEST');
  });
});

describe('webhooks', () => {
  it('shows the signing secret only at creation; owners manage them, members may only read', async () => {
    const created = await owner.webhooks.create({ projectId, url: 'https://example.com/hook', onlyOnTamper: false });
    expect(created.secret.length).toBeGreaterThanOrEqual(40);
    const stored = await h.db.prisma.alertWebhook.findUniqueOrThrow({ where: { id: created.id } });
    expect(stored.secret).toBe(created.secret);

    const listed = await member.webhooks.list({ projectId });
    expect(listed).toMatchObject([{ id: created.id, url: 'https://example.com/hook', onlyOnTamper: false }]);
    expect(JSON.stringify(listed)).not.toContain(created.secret);
    await expectCode(member.webhooks.update({ projectId, webhookId: created.id, enabled: false }), 'FORBIDDEN');

    const updated = await owner.webhooks.update({ projectId, webhookId: created.id, enabled: false });
    expect(updated).toMatchObject({ enabled: false });
    expect(updated).not.toHaveProperty('secret');
    await owner.webhooks.delete({ projectId, webhookId: created.id });
    expect(await owner.webhooks.list({ projectId })).toEqual([]);
  });

  it('accepts only http(s) URLs', async () => {
    await expectCode(owner.webhooks.create({ projectId, url: 'file:///etc/passwd' }), 'BAD_REQUEST');
  });
});
