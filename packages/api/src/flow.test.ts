// The whole path a CI system takes, over HTTP through the fetch handler and a typed client:
// register a model, enrol a trigger set (fragilize, run by a real in-process worker), then
// audit it with runAndWait.
import { onnxAdapterFactory } from '@modelseal/adapter-onnx';
import { AdapterRegistry, decodeTriggerSet } from '@modelseal/core';
import type { RunningWorker } from '@modelseal/worker';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpClient, waitForFinishedJob } from './testing/httpClient.ts';
import { ONNX_MNIST_MODEL, startTestWorker } from './testing/worker.ts';
import { startHarness, uniqueSlug, type Harness } from './testing/harness.ts';

const ONNX_MODEL = ONNX_MNIST_MODEL;

let h: Harness;
let worker: RunningWorker;

beforeAll(async () => {
  h = await startHarness('flow', { adapters: new AdapterRegistry().register(onnxAdapterFactory) });
  worker = await startTestWorker(h);
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await h?.close();
}, 60_000);

function client(token: string) {
  return httpClient(h.deps, token);
}

function waitForJob(api: ReturnType<typeof client>, projectId: string, jobId: string) {
  return waitForFinishedJob(jobId, () => api.jobs.get.query({ projectId, jobId }));
}

describe('fragilize → audit through the API and a worker', () => {
  it('enrols the ONNX MNIST model and finds it intact, driven by an API key over HTTP', async () => {
    const { api: person } = await h.person('ci-owner@example.com');
    const projectId = (await person.projects.create({ name: 'CI', slug: uniqueSlug('ci') })).id;
    const { key } = await person.apiKeys.create({ projectId, name: 'ci' });
    const api = client(key);

    // The adapter's own schema checks the config: a missing path is refused before any job runs.
    await expect(api.models.register.mutate({ projectId, name: 'bad', adapterKind: 'onnx', config: {} })).rejects.toSatisfy(
      (e) => e instanceof TRPCClientError && e.data?.code === 'BAD_REQUEST',
    );
    const model = await api.models.register.mutate({ projectId, name: 'mnist-cnn', adapterKind: 'onnx', config: { path: ONNX_MODEL } });

    const { jobId } = await api.triggerSets.create.mutate({ projectId, modelId: model.id, name: 'enrolment', dataset: 'mnist', count: 20, seed: 1 });
    const fragilized = await waitForJob(api, projectId, jobId);
    expect(fragilized).toMatchObject({ status: 'succeeded', progress: 1 });
    const sets = await api.triggerSets.list.query({ projectId, modelId: model.id });
    expect(sets).toHaveLength(1);
    expect(sets[0]).toMatchObject({ id: fragilized.triggerSetId, name: 'enrolment', sampleCount: 20 });

    // The stored file is a readable trigger set with every enrolled sample.
    const download = await person.triggerSets.downloadInputs({ projectId, triggerSetId: sets[0]!.id });
    expect(decodeTriggerSet(Buffer.from(download.base64, 'base64')).triggerSet.labels).toHaveLength(20);

    const result = await api.audits.runAndWait.mutate({ projectId, modelId: model.id, triggerSetId: sets[0]!.id, timeoutMs: 150_000, pollMs: 250 });
    expect(result).toMatchObject({ done: true, status: 'succeeded', audit: { intact: true, changeRate: 0, trigger: 'api' } });
    expect(result.audit?.queries).toBeGreaterThanOrEqual(20);

    const models = await api.models.list.query({ projectId });
    expect(models[0]?.latestAudit).toMatchObject({ id: result.audit?.id, intact: true });
    // The key's audit is attributed to it (and to the person who created the key).
    const row = await h.db.prisma.audit.findUniqueOrThrow({ where: { id: result.audit!.id } });
    expect(row.apiKeyId).not.toBeNull();
  }, 300_000);
});
