import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HEADER_LENGTH } from './envelope.ts';
import { createArtifactStore } from './store.ts';

let root: string;
const key = randomBytes(32).toString('hex');

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'modelseal-artifacts-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function flipByte(path: string, offset: number): Promise<void> {
  const bytes = await readFile(path);
  bytes[offset] = (bytes[offset] ?? 0) ^ 0x01;
  await writeFile(path, bytes);
}

describe('artifact store: plaintext artifacts', () => {
  it('round-trips bytes under a sha256 ref at root/<kind>/<aa>/<hex>', async () => {
    const store = createArtifactStore({ root });
    const data = randomBytes(1000);
    const put = await store.put(data, { kind: 'model' });
    expect(put).toMatchObject({ ref: `sha256:${sha256(data)}`, sha256: sha256(data), size: 1000, encrypted: false, deduplicated: false });
    expect((await store.get(put.ref)).equals(data)).toBe(true);
    const path = join(root, 'model', put.sha256.slice(0, 2), put.sha256);
    expect((await readFile(path)).equals(data)).toBe(true);
    expect(await store.stat(put.ref)).toMatchObject({ kind: 'model', size: 1000, storedSize: 1000, encrypted: false, path });
  });

  it('accepts a stream and hashes the plaintext across chunks', async () => {
    const store = createArtifactStore({ root });
    const parts = [randomBytes(10), randomBytes(70_000), Buffer.alloc(0), randomBytes(3)];
    const whole = Buffer.concat(parts);
    const put = await store.put(Readable.from(parts), { kind: 'model' });
    expect(put.sha256).toBe(sha256(whole));
    expect(put.size).toBe(whole.length);
    expect((await store.get(put.ref)).equals(whole)).toBe(true);
  });

  it('stores the empty artifact', async () => {
    const store = createArtifactStore({ root });
    const put = await store.put(new Uint8Array(0), { kind: 'report' });
    expect(put.size).toBe(0);
    expect(await store.get(put.ref)).toHaveLength(0);
  });

  it('deduplicates identical content and leaves no temp files behind', async () => {
    const store = createArtifactStore({ root });
    const data = randomBytes(500);
    const first = await store.put(data, { kind: 'model' });
    const second = await store.put(Buffer.from(data), { kind: 'model' });
    expect(second.ref).toBe(first.ref);
    expect(second.deduplicated).toBe(true);
    expect(await readdir(join(root, 'model', first.sha256.slice(0, 2)))).toEqual([first.sha256]);
    expect(await readdir(join(root, '.tmp'))).toEqual([]);
  });

  it('rewrites a corrupt copy instead of deduplicating against it', async () => {
    const store = createArtifactStore({ root });
    const data = randomBytes(100);
    const put = await store.put(data, { kind: 'model' });
    const path = (await store.stat(put.ref))!.path;
    await flipByte(path, 5);
    const again = await store.put(data, { kind: 'model' });
    expect(again.deduplicated).toBe(false);
    expect((await store.get(put.ref)).equals(data)).toBe(true);
  });

  it('detects an altered plaintext file by its sha256 and names the ref', async () => {
    const store = createArtifactStore({ root });
    const put = await store.put(randomBytes(100), { kind: 'model' });
    await flipByte((await store.stat(put.ref))!.path, 42);
    const error = await store.get(put.ref).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CORRUPT_FILE' });
    expect((error as Error).message).toContain(put.ref);
  });

  it('has / delete / stat on present and absent refs', async () => {
    const store = createArtifactStore({ root });
    const put = await store.put(randomBytes(10), { kind: 'dataset' });
    expect(await store.has(put.ref)).toBe(true);
    expect(await store.has(put.ref, { kind: 'model' })).toBe(false);
    expect(await store.delete(put.ref)).toBe(true);
    expect(await store.has(put.ref)).toBe(false);
    expect(await store.stat(put.ref)).toBeUndefined();
    expect(await store.delete(put.ref)).toBe(false);
    await expect(store.get(put.ref)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('lists stored artifacts with their kind and encryption, ignoring foreign files', async () => {
    const store = createArtifactStore({ root, encryptionKey: key });
    const model = await store.put(randomBytes(10), { kind: 'model' });
    const secret = await store.put(randomBytes(20), { kind: 'trigger-set' });
    await writeFile(join(root, 'model', model.sha256.slice(0, 2), 'notes.txt'), 'x');
    const all = await store.list();
    expect(all.map((a) => [a.kind, a.ref, a.encrypted, a.size])).toEqual([
      ['model', model.ref, false, 10],
      ['trigger-set', secret.ref, true, 20],
    ]);
    expect((await store.list({ kind: 'trigger-set' })).map((a) => a.ref)).toEqual([secret.ref]);
    expect(await createArtifactStore({ root: join(root, 'empty') }).list()).toEqual([]);
  });

  it('sweeps only old temp files', async () => {
    const store = createArtifactStore({ root });
    await mkdir(join(root, '.tmp'), { recursive: true });
    await writeFile(join(root, '.tmp', 'old'), 'x');
    await writeFile(join(root, '.tmp', 'fresh'), 'y');
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    await utimes(join(root, '.tmp', 'old'), twoHoursAgo, twoHoursAgo);
    expect(await store.sweepTemp()).toBe(1);
    expect(await readdir(join(root, '.tmp'))).toEqual(['fresh']);
  });

  it('refuses refs that could escape the store', async () => {
    const store = createArtifactStore({ root });
    for (const ref of ['sha256:../../../etc/passwd', `sha256:${'a'.repeat(64)}/../x`, '/etc/passwd']) {
      await expect(store.get(ref)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(store.has(ref)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(store.delete(ref)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    await expect(store.put(randomBytes(1), { kind: '../../x' as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('refuses non-byte input', async () => {
    const store = createArtifactStore({ root });
    await expect(store.put('text' as never, { kind: 'model' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(store.put(Readable.from(['a string chunk']) as never, { kind: 'model' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await readdir(join(root, '.tmp'))).toEqual([]);
  });
});

describe('artifact store: encryption', () => {
  it('encrypts trigger sets by default; the sha256 is of the plaintext; nothing readable on disk', async () => {
    const store = createArtifactStore({ root, encryptionKey: key });
    const data = Buffer.from('fragile inputs: '.repeat(100));
    const put = await store.put(data, { kind: 'trigger-set' });
    expect(put).toMatchObject({ encrypted: true, sha256: sha256(data), size: data.length });
    const info = (await store.stat(put.ref))!;
    expect(info).toMatchObject({ encrypted: true, size: data.length, storedSize: data.length + HEADER_LENGTH });
    expect(info.path.endsWith(`${put.sha256}.enc`)).toBe(true);
    const onDisk = await readFile(info.path);
    expect(onDisk.subarray(0, 4).toString('ascii')).toBe('MSAE');
    expect(onDisk.includes(Buffer.from('fragile inputs'))).toBe(false);
    expect((await stat(info.path)).mode & 0o077).toBe(0);
    expect((await store.get(put.ref)).equals(data)).toBe(true);
  });

  it('uses a fresh nonce per file: the same plaintext encrypts differently in two stores', async () => {
    const data = randomBytes(64);
    const a = createArtifactStore({ root: join(root, 'a'), encryptionKey: key });
    const b = createArtifactStore({ root: join(root, 'b'), encryptionKey: key });
    const pa = await readFile((await a.stat((await a.put(data, { kind: 'trigger-set' })).ref))!.path);
    const pb = await readFile((await b.stat((await b.put(data, { kind: 'trigger-set' })).ref))!.path);
    expect(pa.equals(pb)).toBe(false);
  });

  it('encrypts models on request and round-trips a stream', async () => {
    const store = createArtifactStore({ root, encryptionKey: Buffer.from(key, 'hex').toString('base64') });
    const parts = [randomBytes(100_000), randomBytes(5)];
    const put = await store.put(Readable.from(parts), { kind: 'model', encrypt: true });
    expect(put.encrypted).toBe(true);
    expect((await store.get(put.ref)).equals(Buffer.concat(parts))).toBe(true);
  });

  it.each([
    ['a ciphertext byte', HEADER_LENGTH + 3],
    ['the tag', HEADER_LENGTH - 1],
    ['the nonce', 20],
  ])('maps a flipped bit in %s to CORRUPT_FILE naming the ref', async (_what, offset) => {
    const store = createArtifactStore({ root, encryptionKey: key });
    const put = await store.put(randomBytes(50), { kind: 'trigger-set' });
    await flipByte((await store.stat(put.ref))!.path, offset);
    const error = await store.get(put.ref).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CORRUPT_FILE' });
    expect((error as Error).message).toContain(put.ref);
    expect((error as Error).message).toMatch(/authentication/);
  });

  it('detects a ciphertext swapped in from another artifact', async () => {
    const store = createArtifactStore({ root, encryptionKey: key });
    const a = await store.put(randomBytes(50), { kind: 'trigger-set' });
    const b = await store.put(randomBytes(50), { kind: 'trigger-set' });
    await writeFile((await store.stat(a.ref))!.path, await readFile((await store.stat(b.ref))!.path));
    await expect(store.get(a.ref)).rejects.toMatchObject({ code: 'CORRUPT_FILE' });
  });

  it('reports a truncated encrypted file as CORRUPT_FILE', async () => {
    const store = createArtifactStore({ root, encryptionKey: key });
    const put = await store.put(randomBytes(50), { kind: 'trigger-set' });
    const path = (await store.stat(put.ref))!.path;
    await writeFile(path, (await readFile(path)).subarray(0, 10));
    await expect(store.get(put.ref)).rejects.toMatchObject({ code: 'CORRUPT_FILE' });
  });

  it('says "another key" for a wrong key, and asks for a key when none is configured', async () => {
    const put = await createArtifactStore({ root, encryptionKey: key }).put(randomBytes(50), { kind: 'trigger-set' });
    const wrong = createArtifactStore({ root, encryptionKey: randomBytes(32) });
    await expect(wrong.get(put.ref)).rejects.toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringMatching(/another key/) });
    const none = createArtifactStore({ root });
    await expect(none.get(put.ref)).rejects.toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringMatching(/MODELSEAL_ARTIFACT_KEY/) });
  });

  it('reads artifacts under a previous key after a rotation, and re-encrypts them on the next put', async () => {
    const oldKey = randomBytes(32);
    const data = randomBytes(40);
    const put = await createArtifactStore({ root, encryptionKey: oldKey }).put(data, { kind: 'trigger-set' });
    const rotated = createArtifactStore({ root, encryptionKey: key, previousEncryptionKeys: [oldKey.toString('base64')] });
    expect((await rotated.get(put.ref)).equals(data)).toBe(true);
    expect(await rotated.put(data, { kind: 'trigger-set' })).toMatchObject({ deduplicated: false, encrypted: true });
    // Now readable with the new key alone.
    expect((await createArtifactStore({ root, encryptionKey: key }).get(put.ref)).equals(data)).toBe(true);
  });

  it('refuses to store a trigger set unencrypted, saying why', async () => {
    const noKey = createArtifactStore({ root });
    await expect(noKey.put(randomBytes(5), { kind: 'trigger-set' })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringMatching(/secret.*MODELSEAL_ARTIFACT_KEY/s),
    });
    const withKey = createArtifactStore({ root, encryptionKey: key });
    await expect(withKey.put(randomBytes(5), { kind: 'trigger-set', encrypt: false })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    await expect(noKey.put(randomBytes(5), { kind: 'model', encrypt: true })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    expect(await readdir(join(root, '.tmp')).catch(() => [])).toEqual([]);
  });

  it('stores a trigger set in plaintext only when explicitly allowed', async () => {
    const store = createArtifactStore({ root, allowUnencryptedTriggerSets: true });
    const data = randomBytes(20);
    const put = await store.put(data, { kind: 'trigger-set' });
    expect(put.encrypted).toBe(false);
    expect((await store.get(put.ref)).equals(data)).toBe(true);
    // With a key configured the allowance does not turn encryption off by default.
    const keyed = createArtifactStore({ root: join(root, 'keyed'), encryptionKey: key, allowUnencryptedTriggerSets: true });
    expect((await keyed.put(data, { kind: 'trigger-set' })).encrypted).toBe(true);
  });

  it('replaces a plaintext copy when the same content is stored encrypted, and dedupes against the encrypted one', async () => {
    const data = randomBytes(30);
    const plain = createArtifactStore({ root, allowUnencryptedTriggerSets: true });
    const first = await plain.put(data, { kind: 'trigger-set' });
    const keyed = createArtifactStore({ root, encryptionKey: key });
    const second = await keyed.put(data, { kind: 'trigger-set' });
    expect(second).toMatchObject({ ref: first.ref, encrypted: true, deduplicated: false });
    expect(await readdir(join(root, 'trigger-set', first.sha256.slice(0, 2)))).toEqual([`${first.sha256}.enc`]);
    expect(await keyed.put(data, { kind: 'trigger-set' })).toMatchObject({ encrypted: true, deduplicated: true });
  });

  it('refuses a malformed configured key at creation', () => {
    expect(() => createArtifactStore({ root, encryptionKey: 'short' })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});
