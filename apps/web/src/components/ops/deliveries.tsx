'use client';
// Alert webhook deliveries, as the alerts page and an audit's page list them: whether the
// receiver got the message, after how many attempts, what it answered.
import Link from 'next/link';
import { formatDate } from '../ui.tsx';
import { formatTimeNear, shortId, type Outputs } from './types.ts';

export type Delivery = Outputs['webhooks']['deliveries'][number];
export type DeliveryStatus = Delivery['status'];

/** Poll every 2 s while the worker is still trying to deliver something, else every 15 s. */
export function deliveriesRefetchInterval(data: readonly Delivery[] | undefined): number {
  return data?.some((d) => d.status === 'pending') ? 2000 : 15_000;
}

const STATUS_HINT: Record<DeliveryStatus, string> = {
  pending: 'queued or being retried with backoff',
  succeeded: 'the receiver answered 2xx',
  failed: 'gave up: every attempt failed, or the address was refused',
};

export function DeliveryStatusBadge({ status }: { status: DeliveryStatus }) {
  return (
    <span className={`badge badge-delivery-${status}`} data-testid="delivery-status" data-status={status} title={STATUS_HINT[status]}>
      {status}
    </span>
  );
}

/** When the receiver got it (the time only, on the day it was created); while a retry is scheduled, when that is. */
function DeliveredCell({ delivery }: { delivery: Delivery }) {
  if (delivery.deliveredAt) return <span title={formatDate(delivery.deliveredAt)}>{formatTimeNear(delivery.deliveredAt, delivery.createdAt)}</span>;
  if (delivery.status === 'pending' && delivery.nextAttemptAt) {
    return <span className="muted small">next try {formatTimeNear(delivery.nextAttemptAt, delivery.createdAt)}</span>;
  }
  return <span className="muted">—</span>;
}

export function DeliveriesTable({
  deliveries,
  projectId,
  showWebhook = true,
  showAudit = true,
  testId = 'deliveries-table',
}: {
  deliveries: readonly Delivery[];
  projectId: string;
  showWebhook?: boolean;
  showAudit?: boolean;
  testId?: string;
}) {
  return (
    <div className="table-scroll">
      <table data-testid={testId} className="deliveries">
        <thead>
          <tr>
            <th>Status</th>
            <th>Event</th>
            {showWebhook ? <th>Webhook</th> : null}
            {showAudit ? <th>Audit</th> : null}
            <th className="num">Attempts</th>
            <th className="num">Response</th>
            <th>Error</th>
            <th>Created</th>
            <th>Delivered</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((d) => (
            <tr key={d.id} data-testid="delivery-row" data-delivery-id={d.id} data-status={d.status} data-webhook-id={d.webhookId}>
              <td className="nowrap">
                <DeliveryStatusBadge status={d.status} />
                {d.status === 'pending' && d.attempts > 0 ? <div className="muted small">retrying</div> : null}
              </td>
              <td>
                <code className="small">{d.event}</code>
              </td>
              {showWebhook ? (
                <td className="break delivery-url">
                  <code className="small">{d.webhook.url}</code>
                </td>
              ) : null}
              {showAudit ? (
                <td className="nowrap">
                  {d.auditId ? (
                    <Link href={`/p/${projectId}/audits/${d.auditId}`} data-testid="delivery-audit-link">
                      <code>{shortId(d.auditId)}</code>
                    </Link>
                  ) : (
                    <span className="muted" title="the audit was deleted">
                      —
                    </span>
                  )}
                </td>
              ) : null}
              <td className="num" data-testid="delivery-attempts">
                {d.attempts}
              </td>
              <td className="num" data-testid="delivery-response">
                {d.responseStatus ?? <span className="muted">—</span>}
              </td>
              <td data-testid="delivery-error">
                {d.error ? (
                  <div className="small error-line" title={d.error}>
                    {d.error.split('\n')[0]}
                  </div>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
              <td className="nowrap">{formatDate(d.createdAt)}</td>
              <td className="nowrap" data-testid="delivery-delivered">
                <DeliveredCell delivery={d} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
