import type { AddressGuard } from '@modelseal/adapter-http';
import type { ArtifactStore } from '@modelseal/artifacts';
import type { AdapterRegistry } from '@modelseal/core';
import type { PrismaClient } from '@modelseal/db';
import type { PgBoss } from 'pg-boss';

/** What every handler needs, built once per worker process. */
export interface WorkerContext {
  readonly prisma: PrismaClient;
  /** For jobs that queue follow-up jobs (alerts). */
  readonly boss: PgBoss;
  readonly registry: AdapterRegistry;
  /** Root of stored artifacts; relative model paths are resolved from here. */
  readonly artifactsDir: string;
  /**
   * Folders that models registered by absolute path may lie in (see confineModelPath).
   * Default: MODELSEAL_MODEL_ROOTS, read when a model is opened.
   */
  readonly modelRoots?: readonly string[] | undefined;
  /** Whether model configs may open the HTTP adapter's SSRF guard (default: MODELSEAL_ALLOW_PRIVATE_ENDPOINTS). */
  readonly allowPrivateEndpoints?: boolean | undefined;
  /** Content-addressed store in artifactsDir: trigger sets are written there, encrypted when a key is configured. */
  readonly artifacts: ArtifactStore;
  /** Base folder for dataset specs that name a path (`idx:...`, `folder:...`). */
  readonly datasetsDir: string;
  readonly signingKey: Uint8Array | undefined;
  /** Which webhook receivers may be reached (public addresses only, unless configured). */
  readonly webhookGuard: AddressGuard;
  readonly progressIntervalMs: number;
  readonly cancelPollMs: number;
  readonly log: (line: string) => void;
}
