// Test helpers: one throw-away migrated PostgreSQL per test file, a started pg-boss, and
// callers that act as a given person or API key, exactly as an HTTP request would resolve them.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdapterRegistry } from '@modelseal/core';
import { openDatabase, type Database } from '@modelseal/db';
import { createQueues } from '@modelseal/jobs';
import { TRPCError } from '@trpc/server';
import { PgBoss } from 'pg-boss';
import { expect } from 'vitest';
import { createContext, type ApiDeps, type HeaderSource } from '../context.ts';
import { createCaller } from '../router.ts';
import { createArtifactStore } from '@modelseal/artifacts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

export type ApiCaller = ReturnType<typeof createCaller>;

export interface Harness {
  readonly db: Database;
  readonly dir: string;
  readonly deps: ApiDeps;
  /** A caller for the given request headers. */
  as(headers: HeaderSource): Promise<ApiCaller>;
  /** A caller with `Authorization: Bearer <token>` (session token or API key). */
  bearer(token: string): Promise<ApiCaller>;
  /** Signs up a person and answers a caller acting as them. */
  person(email: string): Promise<{ api: ApiCaller; userId: string; token: string }>;
  close(): Promise<void>;
}

/** The key the harness's artifact store encrypts trigger sets with; give it to workers in tests. */
export const TEST_ARTIFACT_KEY = '5'.repeat(64);

/**
 * Folders whose models tests register by absolute path, as an operator would allow with
 * MODELSEAL_MODEL_ROOTS: the committed demo models and the ONNX fixtures. Give workers the same.
 */
export const TEST_MODEL_ROOTS: readonly string[] = [join(REPO_ROOT, 'models'), join(REPO_ROOT, 'packages/adapters/onnx/fixtures')];

export interface HarnessOptions {
  readonly adapters?: AdapterRegistry;
  /** Default TEST_MODEL_ROOTS. */
  readonly modelRoots?: readonly string[];
  readonly uploadLimits?: ApiDeps['uploadLimits'];
  readonly sampleSetLimits?: ApiDeps['sampleSetLimits'];
}

export async function startHarness(prefix: string, options: HarnessOptions = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), `modelseal-api-${prefix}-`));
  // When tests run as root the server runs as `postgres`, which must enter this folder.
  await chmod(dir, 0o755);
  const db = await openDatabase({ dataDir: dir, fast: true });
  const boss = new PgBoss({ connectionString: db.url });
  boss.on('error', () => {});
  await boss.start();
  await createQueues(boss);
  const deps: ApiDeps = {
    prisma: db.prisma,
    boss,
    artifactsDir: join(dir, 'artifacts'),
    artifacts: createArtifactStore({ root: join(dir, 'artifacts'), encryptionKey: TEST_ARTIFACT_KEY }),
    sessionSecret: 'test-session-secret-0123456789abcdef',
    adapters: options.adapters,
    modelRoots: options.modelRoots ?? TEST_MODEL_ROOTS,
    uploadLimits: options.uploadLimits,
    sampleSetLimits: options.sampleSetLimits,
  };
  const as = async (headers: HeaderSource) => createCaller(await createContext({ ...deps, headers }));
  const bearer = (token: string) => as({ authorization: `Bearer ${token}` });
  return {
    db,
    dir,
    deps,
    as,
    bearer,
    async person(email) {
      const signed = await (await as({})).auth.signUp({ email, password: 'correct horse battery' });
      return { api: await bearer(signed.token), userId: signed.user.id, token: signed.token };
    },
    async close() {
      await boss.stop({ graceful: false });
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Asserts that a call fails with the given tRPC error code. */
export async function expectCode(call: Promise<unknown>, code: TRPCError['code']): Promise<void> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(TRPCError);
  expect((error as TRPCError).code).toBe(code);
}

let counter = 0;
export function uniqueSlug(base: string): string {
  counter += 1;
  return `${base}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}
