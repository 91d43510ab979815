// Scheduled audits: each AuditSchedule row becomes a pg-boss cron schedule on the `audit`
// queue, keyed by the row's id, so whichever worker's clock fires sends exactly one job.
import type { PgBoss } from 'pg-boss';
import { parsePayload } from './validate.ts';

export interface AuditScheduleSpec {
  readonly id: string;
  readonly modelId: string;
  readonly triggerSetId: string;
  readonly mode: 'label' | 'probability';
  /** Cron expression, UTC. */
  readonly cron: string;
  readonly enabled: boolean;
}

/**
 * Makes pg-boss' audit schedules match the given rows: creates or updates enabled ones,
 * removes disabled and deleted ones. Safe to call from several processes at once.
 */
export async function syncAuditSchedules(boss: PgBoss, schedules: readonly AuditScheduleSpec[]): Promise<{ scheduled: number; removed: number }> {
  const wanted = new Map(schedules.filter((s) => s.enabled).map((s) => [s.id, s]));
  let scheduled = 0;
  for (const s of wanted.values()) {
    const payload = parsePayload('audit', { modelId: s.modelId, triggerSetId: s.triggerSetId, mode: s.mode, trigger: 'schedule', scheduleId: s.id });
    await boss.schedule('audit', s.cron, payload, { key: s.id, tz: 'UTC' });
    scheduled += 1;
  }
  let removed = 0;
  for (const existing of await boss.getSchedules('audit')) {
    if (!wanted.has(existing.key)) {
      await boss.unschedule('audit', existing.key);
      removed += 1;
    }
  }
  return { scheduled, removed };
}
