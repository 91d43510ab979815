import { createHash } from 'node:crypto';
import { cp, readFile, writeFile, mkdir, appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, migrate, readMigrations } from './migrate.ts';
import { makeTempDir, query, startTestServer } from './testing/server.ts';
import type { TestServer } from './testing/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer('migrate');
});
afterAll(async () => {
  await server?.dispose();
});

describe('migrate', () => {
  it('applies every migration once; a second run is a no-op', async () => {
    const url = await server.createDatabase('twice');
    const names = (await readMigrations()).map((m) => m.name);
    expect(names.length).toBeGreaterThan(0);

    expect((await migrate(url)).applied).toEqual(names);
    expect((await migrate(url)).applied).toEqual([]);
    const rows = await query<{ n: string }>(url, 'SELECT count(*) AS n FROM "_prisma_migrations"');
    expect(Number(rows[0]?.n)).toBe(names.length);
  });

  it("records each migration in Prisma's table with the sha256 of migration.sql", async () => {
    const url = await server.createDatabase('checksums');
    await migrate(url);
    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      url,
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
    );
    const migrations = await readMigrations();
    expect(rows.map((r) => r.migration_name)).toEqual(migrations.map((m) => m.name));
    for (const row of rows) {
      const file = await readFile(join(MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(file).digest('hex'));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it('refuses a migration that changed after it was applied', async () => {
    const temp = await makeTempDir('modified');
    try {
      const dir = join(temp.dir, 'migrations');
      await cp(MIGRATIONS_DIR, dir, { recursive: true });
      const url = await server.createDatabase('modified');
      await migrate(url, { migrationsDir: dir });
      const first = (await readMigrations(dir))[0];
      if (!first) throw new Error('no migrations');
      await appendFile(join(dir, first.name, 'migration.sql'), '\n-- edited\n');
      await expect(migrate(url, { migrationsDir: dir })).rejects.toThrow(/was modified after it was applied/);
    } finally {
      await temp.remove();
    }
  });

  it('rolls a failing migration back completely and records nothing for it', async () => {
    const temp = await makeTempDir('failing');
    try {
      const dir = join(temp.dir, 'migrations');
      await cp(MIGRATIONS_DIR, dir, { recursive: true });
      await mkdir(join(dir, '99991231000000_broken'));
      await writeFile(
        join(dir, '99991231000000_broken', 'migration.sql'),
        'CREATE TABLE "Half" ("id" TEXT);\nSELECT * FROM "DoesNotExist";\n',
      );
      const url = await server.createDatabase('failing');
      await expect(migrate(url, { migrationsDir: dir })).rejects.toThrow(/99991231000000_broken failed and was rolled back/);
      const half = await query<{ t: string | null }>(url, `SELECT to_regclass('"Half"')::text AS t`);
      expect(half[0]?.t).toBeNull();
      const names = await query<{ migration_name: string }>(url, 'SELECT migration_name FROM "_prisma_migrations"');
      // The migrations before the broken one stay applied and recorded.
      expect(names.map((r) => r.migration_name)).toEqual((await readMigrations()).map((m) => m.name));
    } finally {
      await temp.remove();
    }
  });

  it('refuses to continue past a migration Prisma recorded as failed', async () => {
    const url = await server.createDatabase('unresolved');
    await migrate(url);
    await query(url, `INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ('x', 'y', '99991231000000_failed')`);
    await expect(migrate(url)).rejects.toThrow(/99991231000000_failed failed earlier/);
  });
});
