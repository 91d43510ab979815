// Prisma's own schema engine, compiled to WebAssembly, driven with our pg adapter: it computes the
// SQL that takes a live database to schema.prisma, which is what `prisma migrate dev` would write
// into a new migration. The CLI cannot do it here (it downloads a native engine first), so this is
// how new migrations are written offline (scripts/new-migration.ts) and how the tests check that
// the migrations build exactly the database schema.prisma describes.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory, ColumnTypeEnum } from '@prisma/driver-adapter-utils';
import type { SqlDriverAdapter, SqlResultSet } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import type * as EngineBindings from '@prisma/schema-engine-wasm/schema_engine_bg';

type Bindings = typeof EngineBindings;
type Engine = Awaited<ReturnType<Bindings['SchemaEngine']['new']>>;

// Our compiler settings (lib ES2023, Node types) do not declare the WebAssembly JS API; the two
// constructors used here are all we need of it.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, unknown>) => { exports: Record<string, unknown> };
}
const WASM = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let bindings: Promise<Bindings> | undefined;
let lastPanic: string | undefined;

/**
 * The package's entry imports the .wasm file as an ES module, which Node 20 cannot do; load the
 * JS glue and instantiate the module ourselves, once per process.
 */
function loadBindings(): Promise<Bindings> {
  bindings ??= (async () => {
    // The engine reports a Rust panic's message through this global just before it aborts with
    // an uninformative "unreachable" RuntimeError; keep the message to report it (see diffDatabaseToSchema).
    const globals = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { set_message(message: string): void } };
    globals.PRISMA_WASM_PANIC_REGISTRY ??= {
      set_message(message) {
        lastPanic = message;
      },
    };
    const glue = createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bg: Bindings = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const module = new WASM.Module(readFileSync(join(dirname(glue), 'schema_engine_bg.wasm')));
    const instance = new WASM.Instance(module, { './schema_engine_bg.js': bg });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports as unknown as { __wbindgen_start(): void }).__wbindgen_start();
    return bg;
  })();
  return bindings;
}

const PG_CHAR_OID = 18; // PostgreSQL's internal one-byte "char" (pg_class.relkind and friends)
const PG_TEXT_OID = 25;

/*
 * Introspection reads catalog columns of PostgreSQL's internal "char" type. @prisma/adapter-pg
 * cannot map that type (its query engine never meets it) and refuses the whole result, while the
 * schema engine insists on reading those columns as characters. So, in two steps:
 * 1. our pg client announces "char" columns as text and wraps each of their values in CharValue
 *    (node-postgres already parsed them as strings);
 * 2. our adapter wrapper finds the wrapped values, unwraps them and declares the column as
 *    Character. Values travel with their rows, so concurrent queries cannot mix them up.
 * Only the schema engine's connections use these; the application's Prisma client does not.
 */
class CharValue {
  constructor(readonly value: string) {}
}

class CharAsTextClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    const query = this.query.bind(this) as (...args: unknown[]) => unknown;
    (this as { query: unknown }).query = (...args: unknown[]): unknown => {
      // pg.Pool#query calls with a callback; direct callers get a promise.
      const callback = args.at(-1);
      if (typeof callback === 'function') {
        args[args.length - 1] = (error: unknown, result: unknown) => callback(error, error ? result : markChar(result));
        return query(...args);
      }
      const result = query(...args);
      return result instanceof Promise ? result.then(markChar) : result;
    };
  }
}

function markChar(result: unknown): unknown {
  const { fields, rows } = result as Partial<pg.QueryResult<unknown[]>>;
  fields?.forEach((field, i) => {
    if (field.dataTypeID !== PG_CHAR_OID) return;
    field.dataTypeID = PG_TEXT_OID;
    for (const row of rows ?? []) {
      // The adapter always queries in array row mode.
      if (Array.isArray(row) && typeof row[i] === 'string') row[i] = new CharValue(row[i]);
    }
  });
  return result;
}

function unmarkChar(result: SqlResultSet): SqlResultSet {
  for (const row of result.rows) {
    row.forEach((value, i) => {
      if (value instanceof CharValue) {
        row[i] = value.value;
        result.columnTypes[i] = ColumnTypeEnum.Character;
      }
    });
  }
  return result;
}

/** Wraps every queryRaw of an adapter (and of the transactions it starts) with unmarkChar. */
function withCharColumns<T extends object>(target: T): T {
  return new Proxy(target, {
    get(object, property) {
      const member = Reflect.get(object, property, object) as unknown;
      if (typeof member !== 'function') return member;
      if (property === 'queryRaw') {
        return async (query: unknown) => unmarkChar(await (member as (q: unknown) => Promise<SqlResultSet>).call(object, query));
      }
      if (property === 'startTransaction' || property === 'connect' || property === 'connectToShadowDb') {
        return async (...args: unknown[]) => withCharColumns(await (member as (...a: unknown[]) => Promise<object>).apply(object, args));
      }
      return (member as (...a: unknown[]) => unknown).bind(object);
    },
  });
}

/**
 * SQL that migrates the database at `databaseUrl` to `schema` (the text of schema.prisma), in
 * the form `prisma migrate diff --script` prints. When the two already match, the result holds
 * no statements (only Prisma's "-- This is an empty migration." comment).
 */
export async function diffDatabaseToSchema(databaseUrl: string, schema: string): Promise<string> {
  const bg = await loadBindings();
  const factory = withCharColumns(new PrismaPg({ connectionString: databaseUrl, Client: CharAsTextClient }));
  // The engine never disposes the connections it opens; track them so none outlives the call.
  const opened: SqlDriverAdapter[] = [];
  const track = async (connecting: Promise<SqlDriverAdapter>): Promise<SqlDriverAdapter> => {
    const connection = await connecting;
    opened.push(connection);
    return connection;
  };
  const adapter = bindMigrationAwareSqlAdapterFactory({
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: () => track(factory.connect()),
    connectToShadowDb: () => track(factory.connectToShadowDb()),
  });
  const files = [{ path: 'schema.prisma', content: schema }];
  const engine: Engine = await bg.SchemaEngine.new({ datamodels: [['schema.prisma', schema]] }, () => {}, adapter);
  try {
    const result = await engine.diff({
      // "The schema's datasource" is the live database behind the adapter (Prisma 7 dropped
      // plain URLs here).
      from: { tag: 'schemaDatasource', files, configDir: process.cwd() },
      to: { tag: 'schemaDatamodel', files },
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    });
    return result.stdout ?? '';
  } catch (error) {
    if (lastPanic === undefined) throw error;
    const message = `Prisma schema engine panicked: ${lastPanic}`;
    lastPanic = undefined;
    throw new Error(message, { cause: error });
  } finally {
    engine.free();
    await Promise.all(opened.map((connection) => connection.dispose()));
  }
}

/** Whether a diff script contains anything besides comments and blank lines. */
export function hasStatements(sql: string): boolean {
  return sql.split('\n').some((line) => line.trim() !== '' && !line.trim().startsWith('--'));
}
