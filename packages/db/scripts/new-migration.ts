// Writes the next migration offline, as `prisma migrate dev --create-only` would: builds a
// throw-away database from the existing migrations, asks Prisma's schema engine (wasm) for the
// SQL that takes it to prisma/schema.prisma, and saves that as prisma/migrations/<ts>_<name>.
// Usage: pnpm --filter @modelseal/db migration:new <name>
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MIGRATIONS_DIR, migrate } from '../src/migrate.ts';
import { diffDatabaseToSchema, hasStatements } from '../src/schemaDiff.ts';
import { startTestServer } from '../src/testing/server.ts';

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: migration:new <name>   (lower-case letters, digits and underscores)');
  process.exit(2);
}

const schemaPath = fileURLToPath(new URL('../../../prisma/schema.prisma', import.meta.url));
const server = await startTestServer('new-migration');
try {
  const url = await server.createDatabase('shadow');
  await migrate(url);
  const sql = await diffDatabaseToSchema(url, await readFile(schemaPath, 'utf8'));
  if (!hasStatements(sql)) {
    console.log('schema.prisma matches the migrations: nothing to write');
  } else {
    // Prisma's folder timestamp: UTC, yyyyMMddHHmmss.
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
    const dir = join(MIGRATIONS_DIR, `${stamp}_${name}`);
    await mkdir(dir);
    await writeFile(join(dir, 'migration.sql'), sql);
    console.log(`wrote ${join(dir, 'migration.sql')}`);
  }
} finally {
  await server.dispose();
}
