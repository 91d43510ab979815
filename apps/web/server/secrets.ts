// Zero-config secrets: without MODELSEAL_ARTIFACT_KEY / MODELSEAL_SESSION_SECRET the platform makes
// random ones on first start and keeps them beside its data (0600), so sessions and encrypted
// trigger sets survive a restart. Production deployments pass their own through the environment.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelSealError } from '@modelseal/core';
import { z } from 'zod';

export interface PlatformSecrets {
  /** AES-256 key for trigger sets at rest, 64 hex digits. */
  readonly artifactKey: string;
  /** HMAC key for session tokens. */
  readonly sessionSecret: string;
}

const fileSchema = z.object({ artifactKey: z.string().regex(/^[0-9a-f]{64}$/), sessionSecret: z.string().min(32) });

export const SECRETS_FILE = 'secrets.json';

export async function loadOrCreateSecrets(dataDir: string, env: Readonly<Record<string, string | undefined>>): Promise<PlatformSecrets> {
  const path = join(dataDir, SECRETS_FILE);
  let stored: PlatformSecrets | undefined;
  try {
    const parsed = fileSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    if (!parsed.success) throw new ModelSealError('INVALID_CONFIG', `${path} is not a ModelSeal secrets file; move it away to make new secrets (sessions end, stored trigger sets become unreadable)`);
    stored = parsed.data;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (!stored) {
    stored = { artifactKey: randomBytes(32).toString('hex'), sessionSecret: randomBytes(32).toString('base64url') };
    await mkdir(dataDir, { recursive: true });
    await writeFile(path, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(path, 0o600);
  }
  return {
    artifactKey: env.MODELSEAL_ARTIFACT_KEY || stored.artifactKey,
    sessionSecret: env.MODELSEAL_SESSION_SECRET || stored.sessionSecret,
  };
}
