import { ModelSealError } from '@modelseal/core';
import type { PgBoss } from 'pg-boss';
import { describe, expect, it } from 'vitest';
import { JOB_NAMES, JOBS } from './catalog.ts';
import { createQueues, DEAD_LETTER_QUEUE, enqueue } from './queues.ts';
import { parsePayload } from './validate.ts';

const MODEL = '6f1c2f0e-8f5e-4a57-9d43-7b1a0d9c1e11';
const JOB = '0b8f7a7e-3f0c-4c7e-a0a4-2a5d5f0d8d22';
const SET = '9a3e1d2c-5b6f-4e7a-8c9d-0e1f2a3b4c55';

function fakeBoss(answer: string | null = 'pgboss-id') {
  const sent: { name: string; data: unknown; options: unknown }[] = [];
  const queues: { name: string; options: unknown }[] = [];
  const boss = {
    send: async (name: string, data: unknown, options: unknown) => {
      sent.push({ name, data, options });
      return answer;
    },
    createQueue: async (name: string, options: unknown) => {
      queues.push({ name, options });
    },
  } as unknown as PgBoss;
  return { boss, sent, queues };
}

describe('job catalog', () => {
  it('fills defaults in a minimal fragilize payload', () => {
    const payload = parsePayload('fragilize', { jobId: JOB, modelId: MODEL, triggerSetName: 'ts', dataset: 'mnist', count: 10 });
    expect(payload.preset).toBe('default');
    expect(payload.seed).toBe(0);
  });

  it('names every bad field in one error', () => {
    let error: unknown;
    try {
      parsePayload('fragilize', { jobId: 'not-a-uuid', modelId: MODEL, triggerSetName: 'ts', dataset: 'mnist', count: 0, preset: 'fast' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelSealError);
    expect((error as ModelSealError).code).toBe('INVALID_ARGUMENT');
    expect((error as Error).message).toMatch(/invalid fragilize job payload/);
    expect((error as Error).message).toMatch(/jobId/);
    expect((error as Error).message).toMatch(/count/);
    expect((error as Error).message).toMatch(/preset/);
  });

  it('refuses unknown fields, so a typo is not silently ignored', () => {
    expect(() => parsePayload('audit', { modelId: MODEL, triggerSetId: SET, mdoe: 'probability' })).toThrow(/mdoe/);
  });

  it('refuses an unknown job name', () => {
    expect(() => parsePayload('train' as never, {})).toThrow(/unknown job "train"/);
  });

  it('keeps every heartbeat within pg-boss limits and below the attempt limit', () => {
    for (const name of JOB_NAMES) {
      const { queue } = JOBS[name];
      expect(queue.heartbeatSeconds).toBeGreaterThanOrEqual(10);
      expect(queue.heartbeatSeconds).toBeLessThan(queue.expireInSeconds);
    }
  });
});

describe('enqueue', () => {
  it('sends the validated payload with defaults filled in', async () => {
    const { boss, sent } = fakeBoss();
    const id = await enqueue(boss, 'audit', { modelId: MODEL, triggerSetId: SET }, { priority: 3 });
    expect(id).toBe('pgboss-id');
    expect(sent).toEqual([{ name: 'audit', data: { modelId: MODEL, triggerSetId: SET, mode: 'label', trigger: 'api' }, options: { priority: 3 } }]);
  });

  it('sends nothing when the payload is invalid', async () => {
    const { boss, sent } = fakeBoss();
    await expect(enqueue(boss, 'evaluate', { jobId: JOB, modelId: MODEL } as never)).rejects.toThrow(/triggerSetId/);
    expect(sent).toHaveLength(0);
  });

  it('says so when pg-boss drops a duplicate singleton', async () => {
    const { boss } = fakeBoss(null);
    await expect(enqueue(boss, 'audit', { modelId: MODEL, triggerSetId: SET }, { singletonKey: 'k' })).rejects.toThrow(/not queued/);
  });

  it('creates every queue with its catalog policy', async () => {
    const { boss, queues } = fakeBoss();
    await createQueues(boss);
    // The dead-letter queue first: pg-boss refuses a deadLetter that does not exist yet.
    expect(queues[0]?.name).toBe(DEAD_LETTER_QUEUE);
    expect(queues.slice(1).map((q) => q.name).sort()).toEqual([...JOB_NAMES].sort());
    expect(queues.find((q) => q.name === 'fragilize')?.options).toMatchObject({ heartbeatSeconds: 10, retryBackoff: true, deadLetter: DEAD_LETTER_QUEUE });
  });
});
