import { describe, expect, it } from 'vitest';
import { canRead, canWrite, isRole, RESOURCES, ROLES } from './roles.ts';

// Written out in full, independently of the implementation, so any change to the matrix is a visible test change.
//                           read: owner member viewer   write: owner member viewer
const EXPECTED: Record<string, [boolean, boolean, boolean, boolean, boolean, boolean]> = {
  project: /*           */ [true, true, true, /*      */ true, false, false],
  members: /*           */ [true, true, true, /*      */ true, false, false],
  apiKeys: /*           */ [true, true, false, /*     */ true, false, false],
  models: /*            */ [true, true, true, /*      */ true, true, false],
  triggerSetInputs: /*  */ [true, true, false, /*     */ true, true, false],
  audits: /*            */ [true, true, true, /*      */ true, true, false],
  schedules: /*         */ [true, true, true, /*      */ true, true, false],
  webhooks: /*          */ [true, true, false, /*     */ true, false, false],
};

describe('role matrix', () => {
  it('covers every resource', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...RESOURCES].sort());
  });

  const rows = RESOURCES.flatMap((resource) =>
    ROLES.map((role, i) => {
      const row = EXPECTED[resource]!;
      return { resource, role, read: row[i]!, write: row[i + 3]! };
    }),
  );

  it.each(rows)('$role on $resource: read=$read write=$write', ({ role, resource, read, write }) => {
    expect(canRead(role, resource)).toBe(read);
    expect(canWrite(role, resource)).toBe(write);
  });

  it('never lets a viewer read trigger-set inputs', () => {
    expect(canRead('viewer', 'triggerSetInputs')).toBe(false);
  });

  it('never grants write without read', () => {
    for (const { role, resource } of rows) {
      if (canWrite(role, resource)) expect(canRead(role, resource)).toBe(true);
    }
  });

  it('denies unknown roles and resources, including prototype names', () => {
    expect(canRead('admin', 'project')).toBe(false);
    expect(canRead('owner', 'billing')).toBe(false);
    expect(canRead('owner', 'constructor')).toBe(false);
    expect(canWrite('owner', '__proto__')).toBe(false);
    expect(isRole('owner')).toBe(true);
    expect(isRole('root')).toBe(false);
  });
});
