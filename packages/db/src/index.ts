export { createPrismaClient } from './client.ts';
export { startEmbeddedPostgres } from './embedded.ts';
export type { EmbeddedPostgresOptions, EmbeddedPostgresServer } from './embedded.ts';
export { MIGRATIONS_DIR, migrate, migrationChecksum, readMigrations } from './migrate.ts';
export type { MigrateOptions, MigrateResult, Migration } from './migrate.ts';
export { openDatabase } from './open.ts';
export type { Database, OpenDatabaseOptions } from './open.ts';
// The generated client: PrismaClient, the Prisma namespace, enums and model types.
export * from './generated/client.ts';
