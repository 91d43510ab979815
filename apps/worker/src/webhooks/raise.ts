import type { Audit, Prisma } from '@modelseal/db';
import { enqueue } from '@modelseal/jobs';
import { fromPrisma, type PgBoss } from 'pg-boss';

export const TAMPER_EVENT = 'audit.tampered';
export const AUDIT_EVENT = 'audit.completed';

/**
 * Records one delivery per interested webhook of the model's project and queues it, inside
 * the caller's transaction: the alert exists exactly when the audit does.
 */
export async function raiseAuditAlerts(
  tx: Prisma.TransactionClient,
  boss: PgBoss,
  audit: Audit,
  model: { id: string; projectId: string; name: string },
): Promise<number> {
  const webhooks = await tx.alertWebhook.findMany({
    where: { projectId: model.projectId, enabled: true, ...(audit.intact ? { onlyOnTamper: false } : {}) },
  });
  const event = audit.intact ? AUDIT_EVENT : TAMPER_EVENT;
  const payload = {
    event,
    auditId: audit.id,
    model: { id: model.id, name: model.name },
    triggerSetId: audit.triggerSetId,
    intact: audit.intact,
    changeRate: audit.changeRate,
    changedIndices: audit.changedIndices,
    mode: audit.mode,
    trigger: audit.trigger,
    createdAt: audit.createdAt.toISOString(),
  };
  for (const webhook of webhooks) {
    const delivery = await tx.webhookDelivery.create({ data: { webhookId: webhook.id, auditId: audit.id, event, payload } });
    await enqueue(boss, 'webhook', { deliveryId: delivery.id }, { db: fromPrisma(tx) });
  }
  return webhooks.length;
}
