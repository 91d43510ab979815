import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkMemberPaths, isSafeMemberPath, materializeOnce, parseManifest, serializeManifest } from './bundle.ts';
import { createArtifactStore } from './store.ts';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'modelseal-bundle-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A TF.js-shaped model folder: model.json plus weight shards, one in a subfolder. */
async function makeModelFolder(dir: string): Promise<Record<string, Buffer>> {
  const files: Record<string, Buffer> = {
    'model.json': Buffer.from(JSON.stringify({ format: 'layers-model', weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'] }] })),
    'group1-shard1of2.bin': randomBytes(4096),
    'group1-shard2of2.bin': randomBytes(1000),
    'extra/notes.txt': Buffer.from('hello'),
  };
  for (const [path, bytes] of Object.entries(files)) {
    await mkdir(join(dir, ...path.split('/').slice(0, -1)), { recursive: true });
    await writeFile(join(dir, ...path.split('/')), bytes);
  }
  return files;
}

describe('folder bundles', () => {
  it('round-trips a model folder through putFolder / materialize', async () => {
    const store = createArtifactStore({ root: join(work, 'store') });
    const files = await makeModelFolder(join(work, 'model'));
    const put = await store.putFolder(join(work, 'model'));
    expect(put.files.map((f) => f.path)).toEqual(['extra/notes.txt', 'group1-shard1of2.bin', 'group1-shard2of2.bin', 'model.json']);
    const out = join(work, 'out');
    const written = await store.materialize(put.ref, out);
    expect(written).toHaveLength(4);
    for (const [path, bytes] of Object.entries(files)) {
      expect((await readFile(join(out, ...path.split('/')))).equals(bytes)).toBe(true);
    }
  });

  it('gives the same folder the same ref (deterministic manifest) and a changed shard a new one', async () => {
    const store = createArtifactStore({ root: join(work, 'store') });
    await makeModelFolder(join(work, 'a'));
    const first = await store.putFolder(join(work, 'a'));
    expect((await store.putFolder(join(work, 'a'))).ref).toBe(first.ref);
    await writeFile(join(work, 'a', 'group1-shard2of2.bin'), randomBytes(1000));
    expect((await store.putFolder(join(work, 'a'))).ref).not.toBe(first.ref);
  });

  it('encrypts members and manifest when asked, and still materializes', async () => {
    const store = createArtifactStore({ root: join(work, 'store'), encryptionKey: randomBytes(32) });
    const files = await makeModelFolder(join(work, 'model'));
    const put = await store.putFolder(join(work, 'model'), { encrypt: true });
    expect(put.encrypted).toBe(true);
    for (const entry of put.files) expect((await store.stat(`sha256:${entry.sha256}`))?.encrypted).toBe(true);
    await store.materialize(put.ref, join(work, 'out'));
    expect((await readFile(join(work, 'out', 'model.json'))).equals(files['model.json']!)).toBe(true);
  });

  it('fails materialize with CORRUPT_FILE when a member was altered', async () => {
    const store = createArtifactStore({ root: join(work, 'store') });
    await makeModelFolder(join(work, 'model'));
    const put = await store.putFolder(join(work, 'model'));
    const shard = put.files.find((f) => f.path === 'group1-shard1of2.bin')!;
    const path = (await store.stat(`sha256:${shard.sha256}`))!.path;
    const bytes = await readFile(path);
    bytes[0] = (bytes[0] ?? 0) ^ 0xff;
    await writeFile(path, bytes);
    await expect(store.materialize(put.ref, join(work, 'out'))).rejects.toMatchObject({
      code: 'CORRUPT_FILE',
      message: expect.stringContaining(shard.sha256),
    });
  });

  it('refuses symlinks (they could pull outside files into the store) and empty folders', async () => {
    const store = createArtifactStore({ root: join(work, 'store') });
    await mkdir(join(work, 'empty'));
    await expect(store.putFolder(join(work, 'empty'))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await makeModelFolder(join(work, 'model'));
    await writeFile(join(work, 'secret'), 'x');
    await symlink(join(work, 'secret'), join(work, 'model', 'link.bin'));
    await expect(store.putFolder(join(work, 'model'))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/link/) });
    await expect(store.putFolder(join(work, 'missing'))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('refuses to materialize something that is not a bundle', async () => {
    const store = createArtifactStore({ root: join(work, 'store') });
    const put = await store.put(Buffer.from('{"hello":1}'), { kind: 'model' });
    await expect(store.materialize(put.ref, join(work, 'out'))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('never writes outside the target folder, even for a crafted manifest', async () => {
    const store = createArtifactStore({ root: join(work, 'store') });
    const member = await store.put(Buffer.from('pwned'), { kind: 'model' });
    for (const path of ['../escape.txt', 'a/../../escape.txt', '/abs.txt', 'a\\..\\b', 'C:', './x', 'a//b']) {
      const manifest = Buffer.from(JSON.stringify({ format: 'modelseal-bundle', version: 1, files: [{ path, sha256: member.sha256, size: 5 }] }));
      const crafted = await store.put(manifest, { kind: 'model' });
      await expect(store.materialize(crafted.ref, join(work, 'out'))).rejects.toMatchObject({ code: 'CORRUPT_FILE' });
    }
    // The manifest is rejected before anything is written: not even the target folder exists.
    expect(await readdir(work)).toEqual(['store']);
  });
});

describe('bundles from files in memory (uploads)', () => {
  it('stores the same files under the same ref as putFolder, in any order, and materializes them', async () => {
    const store = createArtifactStore({ root: join(work, 'store') });
    const files = await makeModelFolder(join(work, 'model'));
    const fromFolder = await store.putFolder(join(work, 'model'));
    const entries = Object.entries(files).map(([path, bytes]) => ({ path, bytes: new Uint8Array(bytes) }));
    const fromMemory = await store.putFiles(entries.reverse());
    expect(fromMemory.ref).toBe(fromFolder.ref);
    expect(fromMemory.files).toEqual(fromFolder.files);
    await store.materialize(fromMemory.ref, join(work, 'out'));
    expect((await readFile(join(work, 'out', 'extra', 'notes.txt'))).toString()).toBe('hello');
  });

  it('refuses unsafe, repeated and clashing member names before storing anything', async () => {
    const store = createArtifactStore({ root: join(work, 'store') });
    const bytes = new Uint8Array([1, 2, 3]);
    for (const paths of [['../x.bin'], ['/etc/passwd'], ['a//b'], ['./m.onnx'], ['a\\b'], ['m.onnx', 'm.onnx'], ['a', 'a/b.bin'], []]) {
      await expect(store.putFiles(paths.map((path) => ({ path, bytes })))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    expect(await store.list()).toEqual([]);
    expect(() => checkMemberPaths(['a/b', 'a/c', 'b'])).not.toThrow();
    expect(() => checkMemberPaths(['a/b', 'a'])).toThrow(/as a file and as the folder/);
  });
});

describe('materializeOnce', () => {
  it('materializes a bundle once, atomically, even when several callers race for it', async () => {
    const store = createArtifactStore({ root: join(work, 'store') });
    const files = await makeModelFolder(join(work, 'model'));
    const put = await store.putFolder(join(work, 'model'));
    const target = join(work, 'models', put.sha256);
    const results = await Promise.all(Array.from({ length: 6 }, () => materializeOnce(store, put.ref, target)));
    expect(new Set(results)).toEqual(new Set([target]));
    expect((await readFile(join(target, 'model.json'))).equals(files['model.json']!)).toBe(true);
    // No temp siblings are left behind by the callers that lost the race.
    expect(await readdir(join(work, 'models'))).toEqual([put.sha256]);
    // A second call finds the folder and writes nothing.
    const before = (await stat(join(target, 'model.json'))).mtimeMs;
    await materializeOnce(store, put.ref, target);
    expect((await stat(join(target, 'model.json'))).mtimeMs).toBe(before);
  });

  it('leaves nothing behind when the bundle cannot be materialized', async () => {
    const store = createArtifactStore({ root: join(work, 'store') });
    const notBundle = await store.put(Buffer.from('{"hello":1}'), { kind: 'model' });
    await expect(materializeOnce(store, notBundle.ref, join(work, 'models', notBundle.sha256))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await readdir(join(work, 'models'))).toEqual([]);
  });
});

describe('manifest helpers', () => {
  it('serializes in a fixed key order and parses back', () => {
    const bytes = serializeManifest([{ size: 1, sha256: 'a'.repeat(64), path: 'm.json' } as never]);
    expect(bytes.toString()).toBe(`{"format":"modelseal-bundle","version":1,"files":[{"path":"m.json","sha256":"${'a'.repeat(64)}","size":1}]}`);
    expect(parseManifest(bytes, 'x').files).toHaveLength(1);
  });

  it('rejects duplicates, bad digests and negative sizes', () => {
    const entry = { path: 'a', sha256: 'b'.repeat(64), size: 1 };
    const make = (files: unknown[]) => Buffer.from(JSON.stringify({ format: 'modelseal-bundle', version: 1, files }));
    expect(() => parseManifest(make([entry, entry]), 'x')).toThrow(/twice/);
    expect(() => parseManifest(make([{ ...entry, sha256: 'zz' }]), 'x')).toThrow(/invalid/);
    expect(() => parseManifest(make([{ ...entry, size: -1 }]), 'x')).toThrow(/invalid/);
    expect(() => parseManifest(Buffer.from(JSON.stringify({ format: 'modelseal-bundle', version: 2, files: [] })), 'x')).toThrow(/version 2/);
  });

  it.each([
    ['model.json', true],
    ['dir/shard.bin', true],
    ['..', false],
    ['a/../b', false],
    ['/etc/passwd', false],
    ['a\\b', false],
    ['', false],
    ['a/', false],
  ])('isSafeMemberPath(%j) is %s', (path, safe) => {
    expect(isSafeMemberPath(path)).toBe(safe);
  });
});
