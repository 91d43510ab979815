// The migrations are written (or generated) separately from schema.prisma; this test is what
// keeps them in step: the database the migrations build must have every model, field, type,
// nullability and enum value the schema (and so the generated client) expects.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import internals from '@prisma/internals';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from './migrate.ts';
import { diffDatabaseToSchema, hasStatements } from './schemaDiff.ts';
import { query, startTestServer } from './testing/server.ts';
import type { TestServer } from './testing/server.ts';

const SCHEMA_PATH = fileURLToPath(new URL('../../../prisma/schema.prisma', import.meta.url));

// How Prisma maps its scalar types to PostgreSQL columns (without native-type attributes).
const SCALAR_UDT: Record<string, string> = {
  String: 'text',
  Int: 'int4',
  BigInt: 'int8',
  Float: 'float8',
  Boolean: 'bool',
  DateTime: 'timestamp',
  Json: 'jsonb',
  Decimal: 'numeric',
  Bytes: 'bytea',
};

interface Column {
  table: string;
  column: string;
  udt: string;
  nullable: boolean;
}

let server: TestServer;
let url: string;
beforeAll(async () => {
  server = await startTestServer('schema');
  url = await server.createDatabase('schema');
  await migrate(url);
});
afterAll(async () => {
  await server?.dispose();
});

async function expectedFromSchema(): Promise<{ columns: Column[]; enums: Record<string, string[]> }> {
  const dmmf = await internals.getDMMF({ datamodel: await readFile(SCHEMA_PATH, 'utf8') });
  const enumNames = new Set(dmmf.datamodel.enums.map((e) => e.name));
  const columns: Column[] = [];
  for (const model of dmmf.datamodel.models) {
    for (const field of model.fields) {
      if (field.kind === 'object') continue; // relation fields have no column
      const base = enumNames.has(field.type) ? field.type : SCALAR_UDT[field.type];
      if (!base) throw new Error(`no mapping for ${model.name}.${field.name}: ${field.type}`);
      columns.push({
        table: model.dbName ?? model.name,
        column: field.dbName ?? field.name,
        udt: field.isList ? `_${base}` : base,
        // Prisma creates list columns without NOT NULL, whatever the field says.
        nullable: !field.isRequired || field.isList,
      });
    }
  }
  const enums = Object.fromEntries(
    dmmf.datamodel.enums.map((e) => [e.dbName ?? e.name, e.values.map((v) => v.dbName ?? v.name)]),
  );
  return { columns, enums };
}

const byKey = (a: Column, b: Column): number => `${a.table}.${a.column}`.localeCompare(`${b.table}.${b.column}`);

describe('migrated database', () => {
  it('has exactly the tables and columns of schema.prisma, with their types and nullability', async () => {
    const expected = await expectedFromSchema();
    const rows = await query<{ table_name: string; column_name: string; udt_name: string; is_nullable: string }>(
      url,
      `SELECT table_name, column_name, udt_name, is_nullable FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
    );
    const actual: Column[] = rows.map((r) => ({
      table: r.table_name,
      column: r.column_name,
      udt: r.udt_name,
      nullable: r.is_nullable === 'YES',
    }));
    expect(expected.columns.length).toBeGreaterThan(50);
    expect(actual.sort(byKey)).toEqual(expected.columns.sort(byKey));
  });

  it('has exactly the enums of schema.prisma, with their values in order', async () => {
    const { enums } = await expectedFromSchema();
    const rows = await query<{ name: string; value: string }>(
      url,
      `SELECT t.typname AS name, e.enumlabel AS value FROM pg_type t
       JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE n.nspname = 'public' ORDER BY t.typname, e.enumsortorder`,
    );
    const actual: Record<string, string[]> = {};
    for (const row of rows) (actual[row.name] ??= []).push(row.value);
    expect(Object.keys(enums)).toContain('Role');
    expect(actual).toEqual(enums);
  });

  it('has the unique constraints the data model relies on', async () => {
    const rows = await query<{ indexname: string; indexdef: string }>(
      url,
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'`,
    );
    const unique = rows.filter((r) => r.indexdef.startsWith('CREATE UNIQUE')).map((r) => r.indexname);
    expect(unique).toEqual(
      expect.arrayContaining(['Membership_userId_projectId_key', 'ApiKey_hash_key', 'User_email_key']),
    );
    expect(rows.map((r) => r.indexname)).toContain('Audit_modelId_createdAt_idx');
  });

  it("leaves Prisma's own schema engine nothing to change (indexes, keys, defaults included)", async () => {
    const schema = await readFile(SCHEMA_PATH, 'utf8');
    const sql = await diffDatabaseToSchema(url, schema);
    expect(hasStatements(sql)).toBe(false);
    // The same comparison does see a difference when there is one.
    const changed = schema.replace(/(model User \{\n)/, '$1  nickname String?\n');
    expect(changed).not.toBe(schema);
    expect(await diffDatabaseToSchema(url, changed)).toMatch(/ALTER TABLE "User" ADD COLUMN\s+"nickname" TEXT/);
  });
});
