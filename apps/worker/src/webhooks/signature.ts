// The signature receivers check: HMAC-SHA256 over "<timestamp>.<body>" with the webhook's
// secret. The timestamp is signed too, so a captured delivery cannot be replayed later as new.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-modelseal-signature';
export const TIMESTAMP_HEADER = 'x-modelseal-timestamp';
export const EVENT_HEADER = 'x-modelseal-event';
export const DELIVERY_HEADER = 'x-modelseal-delivery';

/** `sha256=<hex>` for a body sent at `timestamp` (seconds since the epoch). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver runs: true when the header matches, compared in constant time. */
export function verifyWebhookSignature(secret: string, timestamp: number, body: string, header: string): boolean {
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
