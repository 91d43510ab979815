// Test helpers: a throw-away migrated PostgreSQL and the rows a job needs.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, type Database, type PrismaClient } from '@modelseal/db';
import { createQueues } from '@modelseal/jobs';
import { PgBoss } from 'pg-boss';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const MNIST_CNN = join(REPO_ROOT, 'models/mnist-cnn');
/**
 * Tests register the committed demo models by absolute path, as an operator who lists the
 * repository's models folder in MODELSEAL_MODEL_ROOTS would (setup.ts sets it for every test).
 */
export const TEST_MODEL_ROOTS = join(REPO_ROOT, 'models');

export interface TestDatabase extends Database {
  /** A scratch folder (artifacts, etc.) removed by close(). */
  readonly dir: string;
}

export async function openTestDatabase(prefix: string): Promise<TestDatabase> {
  const dir = await mkdtemp(join(tmpdir(), `modelseal-worker-${prefix}-`));
  // When tests run as root the server runs as `postgres`, which must enter this folder.
  await chmod(dir, 0o755);
  const db = await openDatabase({ dataDir: dir, fast: true });
  return {
    ...db,
    dir,
    close: async () => {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A project with the MNIST demo CNN registered as a TF.js model. */
export async function seedModel(prisma: PrismaClient, options: { adapterKind?: string; name?: string } = {}) {
  const project = await prisma.project.create({ data: { name: 'p', slug: `p-${Math.random().toString(36).slice(2)}` } });
  const model = await prisma.model.create({
    data: { projectId: project.id, name: options.name ?? 'mnist-cnn', adapterKind: options.adapterKind ?? 'tfjs', config: { path: MNIST_CNN, backend: 'wasm' } },
  });
  return { project, model };
}

export async function createJobRow(prisma: PrismaClient, projectId: string, type: 'fragilize' | 'audit', modelId: string) {
  return prisma.job.create({ data: { projectId, type, modelId } });
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * The enqueuing side of the queue, as the API is in production: it never works on jobs
 * itself (no supervision, no cron), so only the workers under test do.
 */
export async function startQueueClient(url: string): Promise<PgBoss> {
  const client = new PgBoss({ connectionString: url, supervise: false, schedule: false });
  client.on('error', () => undefined);
  await client.start();
  await createQueues(client);
  return client;
}
