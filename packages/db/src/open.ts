// The platform's one entry to its database: a configured server when DATABASE_URL is given,
// otherwise an embedded PostgreSQL in a data folder (zero-config default); migrated either way.
import { join } from 'node:path';
import { createPrismaClient } from './client.ts';
import { startEmbeddedPostgres } from './embedded.ts';
import type { EmbeddedPostgresServer } from './embedded.ts';
import type { PrismaClient } from './generated/client.ts';
import { migrate } from './migrate.ts';

export interface OpenDatabaseOptions {
  /** A PostgreSQL URL (callers pass `process.env.DATABASE_URL`); empty or absent: embedded. */
  databaseUrl?: string | undefined;
  /** Folder for the embedded server; its cluster lives in `<dataDir>/postgres`. */
  dataDir: string;
  /** Port for the embedded server (default: a free one). */
  port?: number;
  /** Default: the repository's prisma/migrations (pass it where a bundler moves this file). */
  migrationsDir?: string;
  log?: (line: string) => void;
  /** Embedded only: durability off, for tests (see startEmbeddedPostgres). */
  fast?: boolean;
}

export interface Database {
  prisma: PrismaClient;
  url: string;
  /** Whether this process started the server (and `close()` stops it). */
  embedded: boolean;
  close(): Promise<void>;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const log = options.log ?? (() => {});
  let server: EmbeddedPostgresServer | undefined;
  let url = options.databaseUrl;
  if (!url) {
    server = await startEmbeddedPostgres({
      dataDir: join(options.dataDir, 'postgres'),
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.fast === undefined ? {} : { fast: options.fast }),
      log: (line) => log(`[postgres] ${line}`),
    });
    url = server.url;
  }
  try {
    await migrate(url, { log, ...(options.migrationsDir === undefined ? {} : { migrationsDir: options.migrationsDir }) });
  } catch (error) {
    await server?.stop();
    throw error;
  }
  const prisma = createPrismaClient(url);
  return {
    prisma,
    url,
    embedded: server !== undefined,
    close: async () => {
      await prisma.$disconnect();
      await server?.stop();
    },
  };
}
