// Shared by this package's tests: one throw-away PostgreSQL per test file.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../embedded.ts';
import type { EmbeddedPostgresServer } from '../embedded.ts';

/**
 * A temporary folder the `postgres` user can enter: mkdtemp makes it 0700, and when the tests
 * run as root the server runs as `postgres`, which must traverse the data folder's parents.
 */
export async function makeTempDir(prefix: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `modelseal-db-${prefix}-`));
  await chmod(dir, 0o755);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface TestServer extends EmbeddedPostgresServer {
  /** Creates an empty database on this server and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server and deletes its folder. */
  dispose(): Promise<void>;
}

export async function startTestServer(prefix: string): Promise<TestServer> {
  const temp = await makeTempDir(prefix);
  const server = await startEmbeddedPostgres({ dataDir: join(temp.dir, 'pg'), fast: true });
  return {
    ...server,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
      const url = new URL(server.url);
      url.pathname = `/${name}`;
      return url.toString();
    },
    async dispose() {
      await server.stop();
      await temp.remove();
    },
  };
}

/** Runs one query on a short-lived connection. */
export async function query<Row extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql, params)).rows;
  } finally {
    await client.end();
  }
}
