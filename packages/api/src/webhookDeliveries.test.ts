// webhooks.deliveries, as the alerts page and an audit's page show them: this project's recent
// deliveries only, by webhook or by audit, for the roles that may read webhooks, without the
// payload or the webhook's signing secret.
import { randomUUID } from 'node:crypto';
import type { Prisma } from '@modelseal/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode, startHarness, uniqueSlug, type ApiCaller, type Harness } from './testing/harness.ts';

let h: Harness;
let owner: ApiCaller;
let member: ApiCaller;
let viewer: ApiCaller;
let viewerKey: ApiCaller;
let memberKey: ApiCaller;
let outsider: ApiCaller;
let projectId: string;
let otherProjectId: string;
let hookA: { id: string; url: string; secret: string };
let hookB: { id: string; url: string; secret: string };
let foreignHook: { id: string; url: string; secret: string };
let auditA: string;
let auditB: string;
let foreignAudit: string;
/** Delivery ids by name, set in beforeAll. */
const d = {} as Record<'a1' | 'b1' | 'a2' | 'a3' | 'b3' | 'foreign', string>;

const PAYLOAD_MARK = 'payload-only-marker';

async function sealedModel(project: string, name: string) {
  const model = await owner.models.register({ projectId: project, name, adapterKind: 'onnx', config: { path: `${name}.onnx` } });
  const set = await h.db.prisma.triggerSet.create({ data: { modelId: model.id, name: `${name}-set`, params: {}, artifactRef: `label-${name}`, sampleCount: 4 } });
  return { modelId: model.id, triggerSetId: set.id };
}

async function auditOf(sealed: { modelId: string; triggerSetId: string }, intact: boolean) {
  const row = await h.db.prisma.audit.create({
    data: { ...sealed, mode: 'label', intact, changeRate: intact ? 0 : 0.5, changedIndices: intact ? [] : [0, 1], queries: 4, durationMs: 20, trigger: 'schedule' },
  });
  return row.id;
}

/** A delivery row at a fixed second of 2030, so the order is known. */
async function delivery(second: number, webhookId: string, auditId: string | null, data: Partial<Prisma.WebhookDeliveryUncheckedCreateInput> = {}) {
  const row = await h.db.prisma.webhookDelivery.create({
    data: {
      webhookId,
      auditId,
      event: 'audit.tampered',
      payload: { event: 'audit.tampered', auditId, mark: PAYLOAD_MARK },
      createdAt: new Date(Date.UTC(2030, 0, 1, 0, 0, second)),
      ...data,
    },
  });
  return row.id;
}

beforeAll(async () => {
  h = await startHarness('deliveries');
  owner = (await h.person('owner@example.com')).api;
  member = (await h.person('member@example.com')).api;
  viewer = (await h.person('viewer@example.com')).api;
  outsider = (await h.person('outsider@example.com')).api;
  await outsider.projects.create({ name: 'O', slug: uniqueSlug('o') });
  projectId = (await owner.projects.create({ name: 'P', slug: uniqueSlug('p') })).id;
  otherProjectId = (await owner.projects.create({ name: 'Q', slug: uniqueSlug('q') })).id;
  await owner.members.add({ projectId, email: 'member@example.com', role: 'member' });
  await owner.members.add({ projectId, email: 'viewer@example.com', role: 'viewer' });
  viewerKey = await h.bearer((await owner.apiKeys.create({ projectId, name: 'dashboards', role: 'viewer' })).key);
  memberKey = await h.bearer((await owner.apiKeys.create({ projectId, name: 'ci', role: 'member' })).key);

  hookA = await owner.webhooks.create({ projectId, url: 'https://alerts.example.com/a' });
  hookB = await owner.webhooks.create({ projectId, url: 'https://alerts.example.com/b', onlyOnTamper: false });
  foreignHook = await owner.webhooks.create({ projectId: otherProjectId, url: 'https://alerts.example.com/q' });

  const sealed = await sealedModel(projectId, 'classifier');
  auditA = await auditOf(sealed, false);
  auditB = await auditOf(sealed, true);
  foreignAudit = await auditOf(await sealedModel(otherProjectId, 'classifier'), false);

  d.a1 = await delivery(1, hookA.id, auditA, { status: 'succeeded', attempts: 1, responseStatus: 204, deliveredAt: new Date(Date.UTC(2030, 0, 1, 0, 0, 2)) });
  d.b1 = await delivery(2, hookB.id, auditA, { status: 'failed', attempts: 8, responseStatus: 500, error: 'receiver answered 500' });
  d.a2 = await delivery(3, hookA.id, null, { status: 'failed', attempts: 1, error: 'getaddrinfo ENOTFOUND alerts.example.com' });
  d.a3 = await delivery(4, hookA.id, auditB, { event: 'audit.completed', status: 'pending', attempts: 2, nextAttemptAt: new Date(Date.UTC(2030, 0, 1, 0, 1)) });
  d.b3 = await delivery(5, hookB.id, auditB, { event: 'audit.completed' });
  // The other project's delivery is the newest of all: a leak would head every list.
  d.foreign = await delivery(6, foreignHook.id, foreignAudit);
}, 120_000);

afterAll(async () => {
  await h?.close();
}, 60_000);

describe('webhooks.deliveries', () => {
  it("answers this project's deliveries only, newest first, with the webhook's URL and delivery state", async () => {
    const rows = await owner.webhooks.deliveries({ projectId });
    expect(rows.map((r) => r.id)).toEqual([d.b3, d.a3, d.a2, d.b1, d.a1]);
    expect(rows.find((r) => r.id === d.a1)).toEqual({
      id: d.a1,
      webhookId: hookA.id,
      auditId: auditA,
      event: 'audit.tampered',
      status: 'succeeded',
      attempts: 1,
      responseStatus: 204,
      error: null,
      createdAt: new Date(Date.UTC(2030, 0, 1, 0, 0, 1)),
      deliveredAt: new Date(Date.UTC(2030, 0, 1, 0, 0, 2)),
      nextAttemptAt: null,
      webhook: { url: hookA.url },
    });
    expect(rows.find((r) => r.id === d.b1)).toMatchObject({ status: 'failed', attempts: 8, responseStatus: 500, error: 'receiver answered 500', deliveredAt: null });
    expect(rows.find((r) => r.id === d.a3)).toMatchObject({ event: 'audit.completed', status: 'pending', attempts: 2, nextAttemptAt: new Date(Date.UTC(2030, 0, 1, 0, 1)) });
    expect(rows.find((r) => r.id === d.b3)).toMatchObject({ status: 'pending', attempts: 0, responseStatus: null });

    expect((await owner.webhooks.deliveries({ projectId: otherProjectId })).map((r) => r.id)).toEqual([d.foreign]);
    expect((await owner.webhooks.deliveries({ projectId, limit: 2 })).map((r) => r.id)).toEqual([d.b3, d.a3]);
    await expectCode(owner.webhooks.deliveries({ projectId, limit: 201 }), 'BAD_REQUEST');
  });

  it('filters by webhook, by audit, or both', async () => {
    expect((await owner.webhooks.deliveries({ projectId, webhookId: hookA.id })).map((r) => r.id)).toEqual([d.a3, d.a2, d.a1]);
    expect((await owner.webhooks.deliveries({ projectId, webhookId: hookB.id })).map((r) => r.id)).toEqual([d.b3, d.b1]);
    expect((await owner.webhooks.deliveries({ projectId, auditId: auditA })).map((r) => r.id)).toEqual([d.b1, d.a1]);
    expect((await owner.webhooks.deliveries({ projectId, auditId: auditB })).map((r) => r.id)).toEqual([d.b3, d.a3]);
    expect((await owner.webhooks.deliveries({ projectId, webhookId: hookB.id, auditId: auditA })).map((r) => r.id)).toEqual([d.b1]);
    expect(await owner.webhooks.deliveries({ projectId, auditId: randomUUID() })).toEqual([]);
  });

  it("answers nothing for another project's webhook or audit named inside this project", async () => {
    expect(await owner.webhooks.deliveries({ projectId, webhookId: foreignHook.id })).toEqual([]);
    expect(await owner.webhooks.deliveries({ projectId, auditId: foreignAudit })).toEqual([]);
    expect(await member.webhooks.deliveries({ projectId, auditId: foreignAudit })).toEqual([]);
    await expectCode(outsider.webhooks.deliveries({ projectId }), 'NOT_FOUND');
    await expectCode(outsider.webhooks.deliveries({ projectId, auditId: auditA }), 'NOT_FOUND');
    await expectCode(memberKey.webhooks.deliveries({ projectId: otherProjectId }), 'NOT_FOUND');
  });

  it('follows the role matrix: owners and members read webhooks, viewers (people or keys) may not', async () => {
    expect((await member.webhooks.deliveries({ projectId })).map((r) => r.id)).toEqual([d.b3, d.a3, d.a2, d.b1, d.a1]);
    expect((await memberKey.webhooks.deliveries({ projectId, auditId: auditA })).map((r) => r.id)).toEqual([d.b1, d.a1]);
    await expectCode(viewer.webhooks.deliveries({ projectId }), 'FORBIDDEN');
    await expectCode(viewer.webhooks.deliveries({ projectId, auditId: auditA }), 'FORBIDDEN');
    await expectCode(viewerKey.webhooks.deliveries({ projectId }), 'FORBIDDEN');
  });

  it("never answers the payload or the webhook's signing secret", async () => {
    const rows = await member.webhooks.deliveries({ projectId });
    for (const row of rows) {
      expect(row).not.toHaveProperty('payload');
      expect(Object.keys(row.webhook)).toEqual(['url']);
    }
    const text = JSON.stringify(rows);
    expect(text).not.toContain(PAYLOAD_MARK);
    for (const hook of [hookA, hookB]) expect(text).not.toContain(hook.secret);
  });
});
