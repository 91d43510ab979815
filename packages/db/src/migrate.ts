// Applies prisma/migrations offline. `prisma migrate deploy` needs a schema-engine binary that
// is downloaded at install time, which our machines cannot do (TOOLCHAIN.md). This runner does
// the same job the same way and records its work in Prisma's own `_prisma_migrations` table, so
// `prisma migrate deploy` / `migrate status` can take over wherever the engine is available.
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import pg from 'pg';

/** The repository's migrations folder (Prisma's layout: `<timestamp>_<name>/migration.sql`). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../prisma/migrations/', import.meta.url));

// The advisory-lock key Prisma's schema engine takes around migrations, so this runner and
// `prisma migrate deploy` (and two of our processes starting together) never interleave.
const PRISMA_ADVISORY_LOCK = 72707369;

// Prisma's own definition of its bookkeeping table on PostgreSQL.
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface Migration {
  /** Folder name, e.g. `20261125160000_init`; its lexical order is the order of application. */
  name: string;
  sql: string;
  /** Hex SHA-256 of migration.sql's bytes: the checksum Prisma records. */
  checksum: string;
}

export interface MigrateOptions {
  migrationsDir?: string;
  log?: (line: string) => void;
}

export interface MigrateResult {
  /** Names applied by this call, in order (empty when the database was up to date). */
  applied: string[];
}

export function migrationChecksum(sql: string | Buffer): string {
  return createHash('sha256').update(sql).digest('hex');
}

export async function readMigrations(migrationsDir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const migrations: Migration[] = [];
  for (const name of names) {
    // Checksum the raw bytes (not a decoded string) so it matches Prisma's byte for byte.
    const bytes = await readFile(join(migrationsDir, name, 'migration.sql'));
    migrations.push({ name, sql: bytes.toString('utf8'), checksum: migrationChecksum(bytes) });
  }
  return migrations;
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
}

/**
 * Brings the database at `databaseUrl` up to the newest migration. Idempotent: migrations
 * already recorded as finished are skipped. Each migration runs as one query inside a
 * transaction together with its bookkeeping row, so a failure leaves nothing half-applied.
 * Refuses to run when an applied migration's file has changed since, or when Prisma recorded
 * a failed migration that nobody resolved.
 */
export async function migrate(databaseUrl: string, options: MigrateOptions = {}): Promise<MigrateResult> {
  const log = options.log ?? (() => {});
  const migrations = await readMigrations(options.migrationsDir);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    // Rolled-back rows (`prisma migrate resolve --rolled-back`) no longer count as applied.
    const { rows } = await client.query<AppliedRow>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL ORDER BY started_at',
    );
    const applied = new Map<string, AppliedRow>();
    for (const row of rows) {
      if (row.finished_at === null) {
        throw new Error(
          `Migration ${row.migration_name} failed earlier and was never resolved; fix the database, then mark it with ` +
            '`prisma migrate resolve --applied|--rolled-back`.',
        );
      }
      applied.set(row.migration_name, row);
    }

    const done: string[] = [];
    for (const migration of migrations) {
      const previous = applied.get(migration.name);
      if (previous) {
        if (previous.checksum !== migration.checksum) {
          throw new Error(
            `Migration ${migration.name} was modified after it was applied to this database ` +
              `(recorded checksum ${previous.checksum}, file now ${migration.checksum}). ` +
              'Applied migrations must not change: restore the file and put the change in a new migration.',
          );
        }
        continue;
      }
      log(`applying migration ${migration.name}`);
      await client.query('BEGIN');
      try {
        const id = randomUUID();
        await client.query(
          'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())',
          [id, migration.checksum, migration.name],
        );
        // One query per file, as Prisma sends it: no statement splitting to get wrong.
        await client.query(migration.sql);
        await client.query(
          'UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1',
          [id],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`Migration ${migration.name} failed and was rolled back: ${reason}`, { cause: error });
      }
      done.push(migration.name);
    }
    return { applied: done };
  } finally {
    // Ending the session also releases the advisory lock.
    await client.end();
  }
}
