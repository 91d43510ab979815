import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient } from './client.ts';
import { Prisma } from './generated/client.ts';
import type { PrismaClient } from './generated/client.ts';
import { migrate } from './migrate.ts';
import { startTestServer } from './testing/server.ts';
import type { TestServer } from './testing/server.ts';

let server: TestServer;
let prisma: PrismaClient;
beforeAll(async () => {
  server = await startTestServer('client');
  const url = await server.createDatabase('crud');
  await migrate(url);
  prisma = createPrismaClient(url);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await server?.dispose();
});

async function seed(slug: string) {
  const user = await prisma.user.create({ data: { email: `${slug}@example.com`, name: 'Ada' } });
  const project = await prisma.project.create({ data: { name: 'Vision', slug } });
  const membership = await prisma.membership.create({ data: { userId: user.id, projectId: project.id, role: 'owner' } });
  const model = await prisma.model.create({
    data: { projectId: project.id, name: 'cnn', adapterKind: 'onnx', config: { path: 'models/cnn.onnx' }, fingerprint: 'sha256:ab' },
  });
  const triggerSet = await prisma.triggerSet.create({
    data: { modelId: model.id, name: 'ts1', params: { epsilon: 1e-4, iterations: 1000 }, artifactRef: 'store/ts1.safetensors', sampleCount: 100 },
  });
  return { user, project, membership, model, triggerSet };
}

describe('Prisma client on the migrated database', () => {
  it('round-trips users, projects, memberships, models and audits', async () => {
    const { user, project, model, triggerSet } = await seed('vision');
    const audit = await prisma.audit.create({
      data: {
        modelId: model.id,
        triggerSetId: triggerSet.id,
        mode: 'label',
        intact: false,
        changeRate: 0.03,
        changedIndices: [4, 17, 99],
        queries: 100,
        durationMs: 1234,
        trigger: 'manual',
        triggeredById: user.id,
      },
    });

    const loaded = await prisma.project.findUniqueOrThrow({
      where: { slug: 'vision' },
      include: { memberships: { include: { user: true } }, models: { include: { audits: true } } },
    });
    expect(loaded.id).toBe(project.id);
    expect(loaded.memberships.map((m) => [m.user.email, m.role])).toEqual([['vision@example.com', 'owner']]);
    expect(loaded.models[0]?.config).toEqual({ path: 'models/cnn.onnx' });
    const stored = loaded.models[0]?.audits[0];
    expect(stored?.id).toBe(audit.id);
    expect(stored?.changedIndices).toEqual([4, 17, 99]);
    expect(stored?.changeRate).toBeCloseTo(0.03, 12);
    expect(stored?.intact).toBe(false);
    // Server-side defaults and @updatedAt are filled in.
    expect(loaded.createdAt).toBeInstanceOf(Date);
    const job = await prisma.job.create({ data: { projectId: project.id, type: 'fragilize' } });
    expect([job.status, job.progress]).toEqual(['queued', 0]);
  });

  it('rejects a second membership of the same user in the same project', async () => {
    const { user, project } = await seed('dup');
    const duplicate = prisma.membership.create({ data: { userId: user.id, projectId: project.id, role: 'viewer' } });
    await expect(duplicate).rejects.toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    await expect(prisma.membership.create({ data: { userId: user.id, projectId: project.id } })).rejects.toMatchObject({
      code: 'P2002',
    });
  });

  it('rejects two API keys with the same hash', async () => {
    const { project } = await seed('keys');
    await prisma.apiKey.create({ data: { projectId: project.id, name: 'ci', prefix: 'ms_ab', hash: 'h1' } });
    await expect(
      prisma.apiKey.create({ data: { projectId: project.id, name: 'ci2', prefix: 'ms_cd', hash: 'h1' } }),
    ).rejects.toMatchObject({ code: 'P2002' });
  });

  it('deleting a project cascades to its memberships, models and audits but keeps the users', async () => {
    const { user, project, model } = await seed('gone');
    await prisma.project.delete({ where: { id: project.id } });
    expect(await prisma.membership.count({ where: { projectId: project.id } })).toBe(0);
    expect(await prisma.model.findUnique({ where: { id: model.id } })).toBeNull();
    expect(await prisma.user.findUnique({ where: { id: user.id } })).not.toBeNull();
  });
});
