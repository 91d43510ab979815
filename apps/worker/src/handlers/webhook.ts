import { isModelSealError } from '@modelseal/core';
import type { JobPayload } from '@modelseal/jobs';
import type { JobWithMetadata } from 'pg-boss';
import type { WorkerContext } from '../context.ts';
import { messageOf } from '../errors.ts';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from '../webhooks/signature.ts';

const TIMEOUT_MS = 10_000;

/**
 * Sends one alert. A non-2xx answer or a network error is recorded on the delivery and thrown,
 * so pg-boss retries it with backoff; the last attempt marks the delivery failed.
 */
export async function runWebhookJob(context: WorkerContext, payload: JobPayload<'webhook'>, job: JobWithMetadata<unknown>): Promise<{ status: string }> {
  const { prisma } = context;
  const delivery = await prisma.webhookDelivery.findUnique({ where: { id: payload.deliveryId }, include: { webhook: true } });
  if (!delivery) return { status: 'skipped: no delivery row' };
  if (delivery.status !== 'pending') return { status: `skipped: ${delivery.status}` };
  if (!delivery.webhook.enabled) {
    await prisma.webhookDelivery.update({ where: { id: delivery.id }, data: { status: 'failed', error: 'webhook disabled' } });
    return { status: 'skipped: webhook disabled' };
  }
  try {
    await context.webhookGuard.check(new URL(delivery.webhook.url));
  } catch (error) {
    // A refused or malformed address will not improve with retries.
    if (isModelSealError(error) || error instanceof TypeError) {
      await prisma.webhookDelivery.update({ where: { id: delivery.id }, data: { status: 'failed', error: messageOf(error) } });
      context.log(`webhook delivery ${delivery.id}: ${messageOf(error)}`);
      return { status: 'refused' };
    }
    throw error;
  }
  const body = JSON.stringify(delivery.payload);
  const timestamp = Math.floor(Date.now() / 1000);
  let responseStatus: number | null = null;
  let error: string | null = null;
  try {
    const response = await fetch(delivery.webhook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'ModelSeal-Webhook/1',
        [EVENT_HEADER]: delivery.event,
        [DELIVERY_HEADER]: delivery.id,
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: signWebhook(delivery.webhook.secret, timestamp, body),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.any([AbortSignal.timeout(TIMEOUT_MS), job.signal]),
    });
    responseStatus = response.status;
    await response.body?.cancel();
    if (!response.ok) error = `receiver answered HTTP ${response.status}`;
  } catch (e) {
    error = messageOf(e);
  }
  const attempts = delivery.attempts + 1;
  if (error === null) {
    await prisma.webhookDelivery.update({
      where: { id: delivery.id },
      data: { status: 'succeeded', attempts, responseStatus, error: null, deliveredAt: new Date(), nextAttemptAt: null },
    });
    return { status: 'delivered' };
  }
  const final = job.retryCount >= job.retryLimit;
  await prisma.webhookDelivery.update({
    where: { id: delivery.id },
    data: { status: final ? 'failed' : 'pending', attempts, responseStatus, error },
  });
  context.log(`webhook delivery ${delivery.id}: attempt ${attempts} failed: ${error}`);
  throw new Error(error);
}
