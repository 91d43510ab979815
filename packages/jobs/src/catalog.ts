// The job catalog: one place that says, for every background job, what its payload looks
// like and how the queue treats it (retries, time limits, heartbeats). The API enqueues with
// it and the worker creates its queues and validates what it dequeues with it, so the two
// cannot disagree about a payload.
import { OBJECTIVE_NAMES, PRESET_NAMES } from '@modelseal/core';
import { z } from 'zod';

const id = z.uuid();

export const fragilizePayloadSchema = z.strictObject({
  /** The Job row this run reports progress and results to (created by whoever enqueues). */
  jobId: id,
  modelId: id,
  /** Name of the TriggerSet row written at the end. */
  triggerSetName: z.string().min(1).max(200),
  /**
   * A dataset spec understood by @modelseal/datasets' loadDataset (e.g. "mnist"), or
   * `sample-set:<sha256>` for a sample set uploaded to the job's project (sampleSets.upload).
   */
  dataset: z.string().min(1),
  count: z.number().int().min(1).max(10_000),
  preset: z.enum(PRESET_NAMES).default('default'),
  seed: z.number().int().min(0).max(0xffffffff).default(0),
  objective: z.enum(OBJECTIVE_NAMES).optional(),
  epsilon: z.number().positive().max(1).optional(),
  maxIterations: z.number().int().positive().max(1_000_000).optional(),
  gradient: z.enum(['exact', 'nes', 'spsa']).optional(),
});

export const auditPayloadSchema = z.strictObject({
  /** Absent for scheduled audits, which have no Job row. */
  jobId: id.optional(),
  modelId: id,
  triggerSetId: id,
  mode: z.enum(['label', 'probability']).default('label'),
  trigger: z.enum(['manual', 'api', 'schedule']).default('api'),
  scheduleId: id.optional(),
  triggeredById: id.optional(),
  apiKeyId: id.optional(),
});

export const evaluatePayloadSchema = z.strictObject({
  jobId: id,
  modelId: id,
  triggerSetId: id,
  /** An evaluation-study configuration, validated by @modelseal/eval when the job runs. */
  config: z.record(z.string(), z.unknown()),
});

export const webhookPayloadSchema = z.strictObject({
  /** The WebhookDelivery row to send; its payload was fixed when the alert was raised. */
  deliveryId: id,
});

export interface QueuePolicy {
  readonly retryLimit: number;
  /** Seconds before the first retry; doubled (with jitter) per retry when retryBackoff. */
  readonly retryDelay: number;
  readonly retryBackoff: boolean;
  readonly retryDelayMax: number;
  /** Hard limit on one attempt, heartbeats or not. */
  readonly expireInSeconds: number;
  /**
   * A running job must be heartbeated this often (pg-boss minimum 10), so a job whose worker
   * died is failed and retried by another worker after about this long, not after expireInSeconds.
   */
  readonly heartbeatSeconds: number;
}

export interface JobDefinition<Schema extends z.ZodType = z.ZodType> {
  readonly payload: Schema;
  readonly queue: QueuePolicy;
  /** Runs heavy model computation: a worker runs one such job at a time by default. */
  readonly gpu: boolean;
}

function define<Schema extends z.ZodType>(definition: JobDefinition<Schema>): JobDefinition<Schema> {
  return definition;
}

export const JOBS = {
  fragilize: define({
    payload: fragilizePayloadSchema,
    queue: { retryLimit: 3, retryDelay: 2, retryBackoff: true, retryDelayMax: 300, expireInSeconds: 6 * 3600, heartbeatSeconds: 10 },
    gpu: true,
  }),
  audit: define({
    payload: auditPayloadSchema,
    queue: { retryLimit: 3, retryDelay: 5, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 3600, heartbeatSeconds: 10 },
    gpu: false,
  }),
  evaluate: define({
    payload: evaluatePayloadSchema,
    queue: { retryLimit: 1, retryDelay: 30, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 24 * 3600, heartbeatSeconds: 30 },
    gpu: true,
  }),
  // Many quick retries with backoff (2 s, 4 s, 8 s, … capped at an hour): a receiver that is
  // down for a deploy still gets its alert.
  webhook: define({
    payload: webhookPayloadSchema,
    queue: { retryLimit: 10, retryDelay: 2, retryBackoff: true, retryDelayMax: 3600, expireInSeconds: 60, heartbeatSeconds: 10 },
    gpu: false,
  }),
} as const;

export type JobName = keyof typeof JOBS;
export const JOB_NAMES = Object.keys(JOBS) as JobName[];

/** What a caller passes (defaults may be left out). */
export type JobInput<Name extends JobName> = z.input<(typeof JOBS)[Name]['payload']>;
/** What a handler receives (defaults filled in). */
export type JobPayload<Name extends JobName> = z.output<(typeof JOBS)[Name]['payload']>;

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(JOBS, name);
}
