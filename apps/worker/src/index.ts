export { startWorker } from './worker.ts';
export type { RunningWorker, WorkerOptions } from './worker.ts';
export { readWorkerEnv } from './env.ts';
export type { WorkerEnv } from './env.ts';
export { createAdapterRegistry, PLUGINS_ENV } from './adapters.ts';
export { yieldingAdapter } from './yielding.ts';
export { signWebhook, verifyWebhookSignature, SIGNATURE_HEADER, TIMESTAMP_HEADER, EVENT_HEADER, DELIVERY_HEADER } from './webhooks/signature.ts';
export { AUDIT_EVENT, TAMPER_EVENT } from './webhooks/raise.ts';
