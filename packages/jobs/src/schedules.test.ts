import type { PgBoss } from 'pg-boss';
import { describe, expect, it } from 'vitest';
import { syncAuditSchedules, type AuditScheduleSpec } from './schedules.ts';

const MODEL = '6f1c2f0e-8f5e-4a57-9d43-7b1a0d9c1e11';
const SET = '9a3e1d2c-5b6f-4e7a-8c9d-0e1f2a3b4c55';
const S1 = '11111111-1111-4111-8111-111111111111';
const S2 = '22222222-2222-4222-8222-222222222222';
const GONE = '33333333-3333-4333-8333-333333333333';

function fakeBoss(existing: string[]) {
  const schedules = new Map<string, { cron: string; data: unknown; options: unknown }>(existing.map((key) => [key, { cron: '0 0 * * *', data: {}, options: {} }]));
  const boss = {
    schedule: async (_name: string, cron: string, data: unknown, options: { key: string }) => {
      schedules.set(options.key, { cron, data, options });
    },
    getSchedules: async () => [...schedules.keys()].map((key) => ({ name: 'audit', key })),
    unschedule: async (_name: string, key: string) => {
      schedules.delete(key);
    },
  } as unknown as PgBoss;
  return { boss, schedules };
}

const spec = (id: string, enabled: boolean): AuditScheduleSpec => ({ id, modelId: MODEL, triggerSetId: SET, mode: 'label', cron: '*/15 * * * *', enabled });

describe('syncAuditSchedules', () => {
  it('schedules enabled rows as audit jobs and removes disabled and deleted ones', async () => {
    const { boss, schedules } = fakeBoss([S2, GONE]);
    const result = await syncAuditSchedules(boss, [spec(S1, true), spec(S2, false)]);
    expect(result).toEqual({ scheduled: 1, removed: 2 });
    expect([...schedules.keys()]).toEqual([S1]);
    expect(schedules.get(S1)).toMatchObject({
      cron: '*/15 * * * *',
      data: { modelId: MODEL, triggerSetId: SET, mode: 'label', trigger: 'schedule', scheduleId: S1 },
      options: { key: S1, tz: 'UTC' },
    });
  });
});
