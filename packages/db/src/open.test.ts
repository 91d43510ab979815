import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMigrations } from './migrate.ts';
import { openDatabase } from './open.ts';
import { makeTempDir, query, startTestServer } from './testing/server.ts';
import type { TestServer } from './testing/server.ts';

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let server: TestServer;
beforeAll(async () => {
  temp = await makeTempDir('open');
  server = await startTestServer('open-external');
});
afterAll(async () => {
  await server?.dispose();
  await temp?.remove();
});

describe('openDatabase', () => {
  it('with no DATABASE_URL starts an embedded server in the data folder, migrates it and stops it on close', async () => {
    const dataDir = join(temp.dir, 'zero-config');
    const lines: string[] = [];
    const db = await openDatabase({ dataDir, fast: true, log: (l) => lines.push(l) });
    let url: string;
    try {
      expect(db.embedded).toBe(true);
      url = db.url;
      await db.prisma.user.create({ data: { email: 'a@example.com' } });
      const migrations = await readMigrations();
      expect(lines).toEqual(expect.arrayContaining(migrations.map((m) => `applying migration ${m.name}`)));
    } finally {
      await db.close();
    }
    await expect(query(url, 'SELECT 1')).rejects.toThrow();

    // Same folder again: the data is still there and nothing is re-applied.
    const again: string[] = [];
    const reopened = await openDatabase({ dataDir, fast: true, log: (l) => again.push(l) });
    try {
      expect(await reopened.prisma.user.count()).toBe(1);
      expect(again.filter((l) => l.startsWith('applying migration'))).toEqual([]);
    } finally {
      await reopened.close();
    }
  });

  it('with DATABASE_URL uses that server, migrates it and leaves it running on close', async () => {
    const url = await server.createDatabase('external');
    const db = await openDatabase({ databaseUrl: url, dataDir: join(temp.dir, 'unused') });
    try {
      expect(db.embedded).toBe(false);
      expect(db.url).toBe(url);
      const project = await db.prisma.project.create({ data: { name: 'P', slug: 'p' } });
      expect(await query(url, 'SELECT slug FROM "Project" WHERE id = $1', [project.id])).toEqual([{ slug: 'p' }]);
    } finally {
      await db.close();
    }
    expect(await query(url, 'SELECT count(*)::int AS n FROM "Project"')).toEqual([{ n: 1 }]);
  });
});
