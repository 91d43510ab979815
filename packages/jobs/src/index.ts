export {
  JOBS,
  JOB_NAMES,
  isJobName,
  fragilizePayloadSchema,
  auditPayloadSchema,
  evaluatePayloadSchema,
  webhookPayloadSchema,
} from './catalog.ts';
export type { JobDefinition, JobInput, JobName, JobPayload, QueuePolicy } from './catalog.ts';
export { parsePayload } from './validate.ts';
export { createQueues, DEAD_LETTER_QUEUE, enqueue } from './queues.ts';
export { syncAuditSchedules } from './schedules.ts';
export type { AuditScheduleSpec } from './schedules.ts';
export type { EnqueueOptions } from './queues.ts';
export { parseSampleSetSpec, SAMPLE_SET_SPEC_PREFIX, sampleSetLabelMap, sampleSetSpec } from './sampleSets.ts';
