import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateSecrets, SECRETS_FILE } from './secrets.ts';

describe('platform secrets', () => {
  it('makes secrets once, keeps them private and reads the same ones back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'modelseal-secrets-'));
    const first = await loadOrCreateSecrets(dir, {});
    expect(first.artifactKey).toMatch(/^[0-9a-f]{64}$/);
    expect(first.sessionSecret.length).toBeGreaterThanOrEqual(32);
    expect((await stat(join(dir, SECRETS_FILE))).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateSecrets(dir, {})).toEqual(first);
  });

  it('prefers secrets from the environment', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'modelseal-secrets-'));
    const secrets = await loadOrCreateSecrets(dir, { MODELSEAL_ARTIFACT_KEY: 'a'.repeat(64), MODELSEAL_SESSION_SECRET: 's'.repeat(40) });
    expect(secrets).toEqual({ artifactKey: 'a'.repeat(64), sessionSecret: 's'.repeat(40) });
  });

  it('refuses a damaged secrets file instead of silently replacing it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'modelseal-secrets-'));
    await writeFile(join(dir, SECRETS_FILE), '{"artifactKey":"short"}');
    await expect(loadOrCreateSecrets(dir, {})).rejects.toThrow(/not a ModelSeal secrets file/);
    expect(await readFile(join(dir, SECRETS_FILE), 'utf8')).toBe('{"artifactKey":"short"}');
  });
});
