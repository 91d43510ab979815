// audits.list as the dashboard's audits page calls it: one project-wide query, newest first,
// optionally narrowed to one model and to a verdict, each row naming its model and trigger set.
import { randomUUID } from 'node:crypto';
import type { Prisma } from '@modelseal/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode, startHarness, uniqueSlug, type ApiCaller, type Harness } from './testing/harness.ts';

let h: Harness;
let owner: ApiCaller;
let viewer: ApiCaller;
let outsider: ApiCaller;
let projectId: string;
let otherProjectId: string;
const ids = {} as Record<'classifier' | 'detector' | 'foreign' | 'setA' | 'setB' | 'setForeign', string>;

/** An audit row at a fixed minute of 2030, so the order is known. */
function audit(minute: number, modelId: string, triggerSetId: string, data: Partial<Prisma.AuditUncheckedCreateInput> = {}) {
  return h.db.prisma.audit.create({
    data: {
      modelId,
      triggerSetId,
      mode: 'label',
      intact: true,
      changeRate: 0,
      changedIndices: [],
      queries: 4,
      durationMs: 30,
      trigger: 'schedule',
      createdAt: new Date(Date.UTC(2030, 0, 1, 0, minute)),
      ...data,
    },
  });
}

const set = (modelId: string, name: string) => h.db.prisma.triggerSet.create({ data: { modelId, name, params: {}, artifactRef: `label-${name}`, sampleCount: 4 } });

beforeAll(async () => {
  h = await startHarness('audits-list');
  owner = (await h.person('owner@example.com')).api;
  viewer = (await h.person('viewer@example.com')).api;
  outsider = (await h.person('outsider@example.com')).api;
  projectId = (await owner.projects.create({ name: 'P', slug: uniqueSlug('p') })).id;
  await owner.members.add({ projectId, email: 'viewer@example.com', role: 'viewer' });
  // Another project of the same owner: its audits must never show up in P's list.
  otherProjectId = (await owner.projects.create({ name: 'Q', slug: uniqueSlug('q') })).id;
  ids.classifier = (await owner.models.register({ projectId, name: 'classifier', adapterKind: 'onnx', config: { path: 'c.onnx' } })).id;
  ids.detector = (await owner.models.register({ projectId, name: 'detector', adapterKind: 'onnx', config: { path: 'd.onnx' } })).id;
  ids.foreign = (await owner.models.register({ projectId: otherProjectId, name: 'classifier', adapterKind: 'onnx', config: { path: 'c.onnx' } })).id;
  ids.setA = (await set(ids.classifier, 'set-a')).id;
  ids.setB = (await set(ids.detector, 'set-b')).id;
  ids.setForeign = (await set(ids.foreign, 'set-foreign')).id;
}, 120_000);

afterAll(async () => {
  await h?.close();
}, 60_000);

describe('audits.list', () => {
  let a1: string;
  let b2: string;
  let a3: string;
  let b4: string;

  beforeAll(async () => {
    a1 = (await audit(1, ids.classifier, ids.setA)).id;
    b2 = (await audit(2, ids.detector, ids.setB, { intact: false, changeRate: 0.5, changedIndices: [0, 2] })).id;
    a3 = (await audit(3, ids.classifier, ids.setA, { intact: false, changeRate: 0.25, changedIndices: [1], trigger: 'manual' })).id;
    b4 = (await audit(4, ids.detector, ids.setB, { mode: 'probability' })).id;
    // The other project's audits are newer than all of P's: a leak would head the list.
    await audit(5, ids.foreign, ids.setForeign);
    await audit(6, ids.foreign, ids.setForeign, { intact: false, changeRate: 1, changedIndices: [0, 1, 2, 3] });
  });

  it("without a modelId answers the audits of every model of the project, newest first, and none of another project's", async () => {
    const rows = await viewer.audits.list({ projectId });
    expect(rows.map((a) => a.id)).toEqual([b4, a3, b2, a1]);
    expect(rows[1]).toMatchObject({
      id: a3,
      modelId: ids.classifier,
      triggerSetId: ids.setA,
      intact: false,
      changeRate: 0.25,
      changedIndices: [1],
      trigger: 'manual',
      model: { id: ids.classifier, name: 'classifier' },
      triggerSet: { id: ids.setA, name: 'set-a' },
    });
    expect(rows[0]).toMatchObject({ mode: 'probability', model: { id: ids.detector, name: 'detector' }, triggerSet: { id: ids.setB, name: 'set-b' } });
    // Only the names are joined in, not the model's config or the set's artifact ref.
    expect(Object.keys(rows[0]!.model).sort()).toEqual(['id', 'name']);
    expect(Object.keys(rows[0]!.triggerSet).sort()).toEqual(['id', 'name']);

    const other = await owner.audits.list({ projectId: otherProjectId });
    expect(other).toHaveLength(2);
    expect(other.every((a) => a.modelId === ids.foreign)).toBe(true);
  });

  it('narrows to one model, to a verdict, or both, and keeps to the limit', async () => {
    expect((await viewer.audits.list({ projectId, modelId: ids.classifier })).map((a) => a.id)).toEqual([a3, a1]);
    expect((await viewer.audits.list({ projectId, intact: false })).map((a) => a.id)).toEqual([a3, b2]);
    expect((await viewer.audits.list({ projectId, intact: true })).map((a) => a.id)).toEqual([b4, a1]);
    expect((await viewer.audits.list({ projectId, modelId: ids.detector, intact: false })).map((a) => a.id)).toEqual([b2]);
    expect((await viewer.audits.list({ projectId, modelId: ids.detector, intact: true })).map((a) => a.id)).toEqual([b4]);
    expect((await viewer.audits.list({ projectId, limit: 2 })).map((a) => a.id)).toEqual([b4, a3]);
    expect((await viewer.audits.list({ projectId, intact: false, limit: 1 })).map((a) => a.id)).toEqual([a3]);
  });

  it("refuses another project's model as NOT_FOUND, and outsiders and bad limits", async () => {
    await expectCode(viewer.audits.list({ projectId, modelId: ids.foreign }), 'NOT_FOUND');
    await expectCode(owner.audits.list({ projectId, modelId: ids.foreign }), 'NOT_FOUND');
    await expectCode(viewer.audits.list({ projectId, modelId: randomUUID() }), 'NOT_FOUND');
    await expectCode(outsider.audits.list({ projectId }), 'NOT_FOUND');
    await expectCode(viewer.audits.list({ projectId, limit: 0 }), 'BAD_REQUEST');
    await expectCode(viewer.audits.list({ projectId, limit: 501 }), 'BAD_REQUEST');
  });
});
