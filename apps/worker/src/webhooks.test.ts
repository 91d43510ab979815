import { cp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AddressGuard } from '@modelseal/adapter-http';
import { enqueue } from '@modelseal/jobs';
import type { JobWithMetadata } from 'pg-boss';
import type { WorkerContext } from './context.ts';
import { runWebhookJob } from './handlers/webhook.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobRow, MNIST_CNN, openTestDatabase, seedModel, waitFor, type TestDatabase } from './testing/database.ts';
import { signWebhook, verifyWebhookSignature } from './webhooks/signature.ts';
import { startWorker, type RunningWorker } from './worker.ts';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

let db: TestDatabase;
let worker: RunningWorker;
let server: Server;
let receiverUrl: string;
const received: Received[] = [];
/** Answers for the receiver's successive requests (then 200). */
const answers: number[] = [];

beforeAll(async () => {
  db = await openTestDatabase('webhooks');
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = answers.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  worker = await startWorker({
    databaseUrl: db.url,
    artifactsDir: join(db.dir, 'artifacts'),
    pollingIntervalSeconds: 0.5,
    superviseIntervalSeconds: 2,
    progressIntervalMs: 100,
    scheduleSyncSeconds: 0,
    // The test receiver listens on loopback.
    webhookAllowPrivate: true,
    log: () => undefined,
  });
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await new Promise((resolve) => server?.close(resolve));
  await db?.close();
}, 60_000);

/**
 * A copy of the demo model with every weight nudged (what a tampered deployment looks like),
 * placed in the artifacts folder; answers its path relative to that folder.
 */
async function tamperedCopy(): Promise<string> {
  const dir = join(db.dir, 'artifacts', 'tampered');
  await cp(MNIST_CNN, dir, { recursive: true });
  const bytes = await readFile(join(dir, 'weights.bin'));
  const weights = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  for (let i = 0; i < weights.length; i++) weights[i] = weights[i]! + (i % 2 === 0 ? 0.02 : -0.02);
  await writeFile(join(dir, 'weights.bin'), bytes);
  return 'tampered';
}

const finished = (jobId: string) =>
  waitFor(`job ${jobId}`, async () => {
    const row = await db.prisma.job.findUniqueOrThrow({ where: { id: jobId } });
    return row.finishedAt ? row : undefined;
  }, 90_000);

describe('webhook signature', () => {
  it('verifies only the exact body, timestamp and secret that were signed', () => {
    const header = signWebhook('s3cret', 1700000000, '{"a":1}');
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature('s3cret', 1700000000, '{"a":1}', header)).toBe(true);
    expect(verifyWebhookSignature('s3cret', 1700000000, '{"a":2}', header)).toBe(false);
    expect(verifyWebhookSignature('s3cret', 1700000001, '{"a":1}', header)).toBe(false);
    expect(verifyWebhookSignature('other', 1700000000, '{"a":1}', header)).toBe(false);
    expect(verifyWebhookSignature('s3cret', 1700000000, '{"a":1}', 'sha256=00')).toBe(false);
  });
});

describe('alerts and scheduled audits', () => {
  let modelId: string;
  let projectId: string;
  let triggerSetId: string;

  beforeAll(async () => {
    const { project, model } = await seedModel(db.prisma);
    modelId = model.id;
    projectId = project.id;
    const job = await createJobRow(db.prisma, project.id, 'fragilize', model.id);
    await enqueue(worker.boss, 'fragilize', { jobId: job.id, modelId, triggerSetName: 'ts', dataset: 'mnist', count: 10, seed: 1 });
    triggerSetId = (await finished(job.id)).triggerSetId!;
    await db.prisma.alertWebhook.create({ data: { projectId, url: receiverUrl, secret: 'receiver-secret', onlyOnTamper: true } });
  }, 120_000);

  it('sends no alert for an intact audit when the webhook wants tampering only', async () => {
    const job = await createJobRow(db.prisma, projectId, 'audit', modelId);
    await enqueue(worker.boss, 'audit', { jobId: job.id, modelId, triggerSetId });
    expect((await finished(job.id)).status).toBe('succeeded');
    const audit = await db.prisma.audit.findFirstOrThrow({ where: { jobId: job.id } });
    expect(audit.intact).toBe(true);
    expect(await db.prisma.webhookDelivery.count({ where: { auditId: audit.id } })).toBe(0);
  }, 120_000);

  it('alerts on tampering with a signed POST, retrying until the receiver accepts it', async () => {
    await db.prisma.model.update({ where: { id: modelId }, data: { config: { path: await tamperedCopy(), backend: 'wasm' } } });
    answers.push(503);
    const before = received.length;
    const job = await createJobRow(db.prisma, projectId, 'audit', modelId);
    await enqueue(worker.boss, 'audit', { jobId: job.id, modelId, triggerSetId });
    expect((await finished(job.id)).status).toBe('succeeded');
    const audit = await db.prisma.audit.findFirstOrThrow({ where: { jobId: job.id } });
    expect(audit.intact).toBe(false);

    const delivery = await waitFor('the delivery', async () => {
      const row = await db.prisma.webhookDelivery.findFirstOrThrow({ where: { auditId: audit.id } });
      return row.status === 'pending' ? undefined : row;
    }, 60_000);
    expect(delivery.status).toBe('succeeded');
    expect(delivery.attempts).toBe(2);
    expect(delivery.responseStatus).toBe(200);

    const requests = received.slice(before);
    expect(requests).toHaveLength(2);
    for (const request of requests) {
      const timestamp = Number(request.headers['x-modelseal-timestamp']);
      expect(verifyWebhookSignature('receiver-secret', timestamp, request.body, String(request.headers['x-modelseal-signature']))).toBe(true);
      expect(request.headers['x-modelseal-event']).toBe('audit.tampered');
      expect(JSON.parse(request.body)).toMatchObject({ auditId: audit.id, intact: false, model: { id: modelId } });
    }
  }, 120_000);

  it('turns AuditSchedule rows into cron schedules whose audits are recorded as scheduled', async () => {
    const schedule = await db.prisma.auditSchedule.create({ data: { modelId, triggerSetId, cron: '0 3 * * *' } });
    expect(await worker.syncSchedules()).toEqual({ scheduled: 1, removed: 0 });
    const stored = await worker.boss.getSchedule('audit', schedule.id);
    expect(stored?.cron).toBe('0 3 * * *');
    // What the cron sends at 03:00, sent now instead of waiting for the clock.
    await worker.boss.send('audit', stored!.data!);
    const audit = await waitFor('the scheduled audit', async () => (await db.prisma.audit.findFirst({ where: { scheduleId: schedule.id } })) ?? undefined);
    expect(audit.trigger).toBe('schedule');
    expect((await db.prisma.auditSchedule.findUniqueOrThrow({ where: { id: schedule.id } })).lastRunAt).not.toBeNull();

    await db.prisma.auditSchedule.update({ where: { id: schedule.id }, data: { enabled: false } });
    expect(await worker.syncSchedules()).toEqual({ scheduled: 0, removed: 1 });
    expect(await worker.boss.getSchedule('audit', schedule.id)).toBeNull();
  }, 120_000);

  it('refuses a receiver on an internal address by default, without retrying or sending', async () => {
    const webhook = await db.prisma.alertWebhook.create({ data: { projectId, url: receiverUrl, secret: 'x' } });
    const delivery = await db.prisma.webhookDelivery.create({ data: { webhookId: webhook.id, event: 'audit.tampered', payload: {} } });
    const before = received.length;
    const context = { prisma: db.prisma, log: () => undefined, webhookGuard: new AddressGuard({ allowPrivate: false, allowHosts: [] }) } as unknown as WorkerContext;
    const job = { id: 'j', retryCount: 0, retryLimit: 10, signal: new AbortController().signal } as unknown as JobWithMetadata<unknown>;
    expect(await runWebhookJob(context, { deliveryId: delivery.id }, job)).toEqual({ status: 'refused' });
    const row = await db.prisma.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } });
    expect(row.status).toBe('failed');
    expect(row.error).toMatch(/internal address/);
    expect(received.length).toBe(before);
  });
});
