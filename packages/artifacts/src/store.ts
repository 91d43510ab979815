import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat as fsStat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ModelSealError } from '@modelseal/core';
import { materialize, putFiles, putFolder } from './bundle.ts';
import type { BundleFile, PutFolderOptions, PutFolderResult } from './bundle.ts';
import { createEncryptor, decryptEnvelope, HEADER_LENGTH, TAG_OFFSET } from './envelope.ts';
import { parseEncryptionKey } from './key.ts';
import { ARTIFACT_KINDS, assertKind, formatRef, parseRef } from './ref.ts';
import type { ArtifactKind, ArtifactRef } from './ref.ts';

export interface ArtifactStoreOptions {
  /** Folder that holds the store; created on first write. */
  root: string;
  /** 32-byte AES-256 key (hex, base64 or bytes); see encryptionKeyFromEnv(). */
  encryptionKey?: string | Uint8Array | undefined;
  /**
   * Keys that only decrypt: after a rotation, artifacts written under an old key
   * stay readable (each file names its key by id). New writes use encryptionKey,
   * and putting the same content again rewrites it under the new key.
   */
  previousEncryptionKeys?: readonly (string | Uint8Array)[];
  /**
   * Lets trigger sets be stored in plaintext when no key is configured or when a
   * put asks for encrypt: false. Meant for local experiments only: a trigger set
   * is a secret (whoever holds one can tune a tampered model to keep its answers).
   */
  allowUnencryptedTriggerSets?: boolean;
}

export interface PutOptions {
  kind: ArtifactKind;
  /** Defaults to true for trigger sets and false for everything else. */
  encrypt?: boolean;
}

export interface PutResult {
  ref: ArtifactRef;
  /** Hex sha256 of the plaintext. */
  sha256: string;
  /** Plaintext size in bytes. */
  size: number;
  kind: ArtifactKind;
  encrypted: boolean;
  /** True when an intact copy was already stored and nothing was written. */
  deduplicated: boolean;
}

export interface ArtifactStat {
  ref: ArtifactRef;
  sha256: string;
  kind: ArtifactKind;
  /** Plaintext size in bytes (from the file size; not verified). */
  size: number;
  /** Bytes on disk, header included. */
  storedSize: number;
  encrypted: boolean;
  path: string;
}

export interface LookupOptions {
  /** Look only under this kind; by default every kind is searched. */
  kind?: ArtifactKind;
}

export type ArtifactInput = Uint8Array | AsyncIterable<Uint8Array>;

export interface ArtifactStore {
  readonly root: string;
  readonly encrypts: boolean;
  put(data: ArtifactInput, options: PutOptions): Promise<PutResult>;
  /** The plaintext, decrypted when needed and checked against the ref's sha256. */
  get(ref: string, options?: LookupOptions): Promise<Buffer>;
  has(ref: string, options?: LookupOptions): Promise<boolean>;
  stat(ref: string, options?: LookupOptions): Promise<ArtifactStat | undefined>;
  /** Removes every stored copy (of the given kind, or of all kinds); true when one existed. */
  delete(ref: string, options?: LookupOptions): Promise<boolean>;
  /** Every stored artifact (of one kind, or all), in ARTIFACT_KINDS order then by digest; nothing is verified. */
  list(options?: LookupOptions): Promise<ArtifactStat[]>;
  /**
   * Removes temp files left by writes that crashed, older than olderThanMs
   * (default one hour, so writes in progress are left alone); returns how many.
   */
  sweepTemp(olderThanMs?: number): Promise<number>;
  /** Stores a folder (a TF.js model: model.json + shards) as a bundle; the result's ref names the manifest. */
  putFolder(dir: string, options?: PutFolderOptions): Promise<PutFolderResult>;
  /** Stores files held in memory (an upload) as a bundle; the same files as a folder get the same ref. */
  putFiles(files: readonly BundleFile[], options?: PutFolderOptions): Promise<PutFolderResult>;
  /** Writes a bundle's files into dir, each verified; returns the paths written. */
  materialize(ref: string, dir: string): Promise<string[]>;
}

const SECRET_KINDS: ReadonlySet<ArtifactKind> = new Set<ArtifactKind>(['trigger-set']);
const ENCRYPTED_SUFFIX = '.enc';

export function createArtifactStore(options: ArtifactStoreOptions): ArtifactStore {
  if (typeof options.root !== 'string' || options.root === '') {
    throw new ModelSealError('INVALID_CONFIG', 'artifact store root must be a non-empty folder path');
  }
  const root = resolve(options.root);
  const key = options.encryptionKey === undefined ? undefined : parseEncryptionKey(options.encryptionKey, 'artifact encryption key');
  const readKeys = [
    ...(key === undefined ? [] : [key]),
    ...(options.previousEncryptionKeys ?? []).map((k, i) => parseEncryptionKey(k, `previous artifact encryption key #${i + 1}`)),
  ];
  const allowPlainSecrets = options.allowUnencryptedTriggerSets === true;
  const tmpDir = join(root, '.tmp');

  // Kind folder, then the first two hex digits: keeps any one folder small.
  const pathFor = (kind: ArtifactKind, hex: string, encrypted: boolean): string =>
    join(root, kind, hex.slice(0, 2), encrypted ? hex + ENCRYPTED_SUFFIX : hex);

  function decideEncryption(kind: ArtifactKind, encrypt: boolean | undefined): boolean {
    const secret = SECRET_KINDS.has(kind);
    if (encrypt === true || (encrypt === undefined && secret && (key !== undefined || !allowPlainSecrets))) {
      if (key === undefined) {
        throw new ModelSealError(
          'INVALID_CONFIG',
          secret
            ? 'refusing to store a trigger set without encryption: trigger sets are secrets (whoever holds one can tune a ' +
                'tampered model to keep its answers), and no artifact key is configured. Set MODELSEAL_ARTIFACT_KEY to 32 random ' +
                'bytes (hex or base64), or allow unencrypted trigger sets explicitly for local experiments'
            : `cannot encrypt a ${kind} artifact: no artifact key is configured (MODELSEAL_ARTIFACT_KEY)`,
        );
      }
      return true;
    }
    if (secret && !allowPlainSecrets) {
      throw new ModelSealError(
        'INVALID_CONFIG',
        'refusing to store a trigger set unencrypted: trigger sets are secrets (whoever holds one can tune a tampered ' +
          'model to keep its answers); allow unencrypted trigger sets explicitly for local experiments',
      );
    }
    return false;
  }

  /** Writes the input to a temp file (encrypting on the way) and hashes the plaintext. */
  async function writeTemp(data: ArtifactInput, encrypted: boolean): Promise<{ tmp: string; hex: string; size: number }> {
    if (typeof data === 'string' || data === null || typeof data !== 'object') {
      throw new ModelSealError('INVALID_ARGUMENT', 'artifact data must be bytes (Uint8Array) or an async iterable of bytes');
    }
    await mkdir(tmpDir, { recursive: true, mode: 0o700 });
    const tmp = join(tmpDir, randomUUID());
    // 0600: trigger sets are secrets even when encrypted, and the store is private to the service.
    const fh = await open(tmp, 'wx', 0o600);
    const hash = createHash('sha256');
    let size = 0;
    let position = 0;
    const write = async (buf: Uint8Array): Promise<void> => {
      if (buf.length === 0) return;
      await fh.write(buf, 0, buf.length, position);
      position += buf.length;
    };
    try {
      const encryptor = encrypted && key !== undefined ? createEncryptor(key) : undefined;
      if (encryptor) await write(encryptor.header);
      const chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array> = data instanceof Uint8Array ? [data] : data;
      for await (const chunk of chunks) {
        if (!(chunk instanceof Uint8Array)) {
          throw new ModelSealError('INVALID_ARGUMENT', 'artifact stream yielded something other than bytes');
        }
        hash.update(chunk);
        size += chunk.length;
        await write(encryptor ? encryptor.update(chunk) : chunk);
      }
      if (encryptor) {
        const { rest, tag } = encryptor.final();
        await write(rest);
        await fh.write(tag, 0, tag.length, TAG_OFFSET);
      }
      // Durable before the rename makes it visible: a crash must not leave a named, truncated file.
      await fh.sync();
    } catch (error) {
      await fh.close();
      await rm(tmp, { force: true });
      throw error;
    }
    await fh.close();
    return { tmp, hex: hash.digest('hex'), size };
  }

  /**
   * True when the file exists, its content matches hex and (if encrypted) it is
   * under the current key; false means "rewrite it".
   */
  async function isIntact(path: string, hex: string, encrypted: boolean): Promise<boolean> {
    try {
      if (encrypted) {
        const plain = decryptEnvelope(await readFile(path), key === undefined ? [] : [key], formatRef(hex));
        return createHash('sha256').update(plain).digest('hex') === hex;
      }
      const hash = createHash('sha256');
      for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
      return hash.digest('hex') === hex;
    } catch {
      return false;
    }
  }

  interface Located {
    kind: ArtifactKind;
    path: string;
    encrypted: boolean;
    storedSize: number;
  }

  async function locateAll(hex: string, lookup: LookupOptions | undefined): Promise<Located[]> {
    const kinds = lookup?.kind === undefined ? ARTIFACT_KINDS : [assertKind(lookup.kind)];
    const found: Located[] = [];
    for (const kind of kinds) {
      // With a key, the encrypted copy first (it is the one put() keeps); without one, a
      // plaintext copy is the only one readable.
      for (const encrypted of readKeys.length > 0 ? [true, false] : [false, true]) {
        const path = pathFor(kind, hex, encrypted);
        const info = await fsStat(path).catch(() => undefined);
        if (info?.isFile()) found.push({ kind, path, encrypted, storedSize: info.size });
      }
    }
    return found;
  }

  async function locate(ref: string, lookup: LookupOptions | undefined): Promise<{ hex: string; found: Located | undefined }> {
    const hex = parseRef(ref);
    const [found] = await locateAll(hex, lookup);
    return { hex, found };
  }

  const store: ArtifactStore = {
    root,
    encrypts: key !== undefined,

    async put(data, putOptions) {
      const kind = assertKind(putOptions?.kind);
      const encrypted = decideEncryption(kind, putOptions.encrypt);
      const { tmp, hex, size } = await writeTemp(data, encrypted);
      const result = (deduplicated: boolean, storedEncrypted: boolean): PutResult => ({
        ref: formatRef(hex),
        sha256: hex,
        size,
        kind,
        encrypted: storedEncrypted,
        deduplicated,
      });
      try {
        const encryptedPath = pathFor(kind, hex, true);
        const plainPath = pathFor(kind, hex, false);
        // An intact encrypted copy satisfies any request; a plaintext copy only a plaintext one.
        if (await isIntact(encryptedPath, hex, true)) {
          await rm(tmp, { force: true });
          if (encrypted) await rm(plainPath, { force: true });
          return result(true, true);
        }
        if (!encrypted && (await isIntact(plainPath, hex, false))) {
          await rm(tmp, { force: true });
          return result(true, false);
        }
        const target = encrypted ? encryptedPath : plainPath;
        await mkdir(dirname(target), { recursive: true, mode: 0o700 });
        // rename() is atomic within a file system: readers see the old file or the whole new one.
        await rename(tmp, target);
        // A secret now stored encrypted must not linger in plaintext beside it.
        if (encrypted) await rm(plainPath, { force: true });
        return result(false, encrypted);
      } catch (error) {
        await rm(tmp, { force: true });
        throw error;
      }
    },

    async get(ref, lookup) {
      const { hex, found } = await locate(ref, lookup);
      if (!found) throw new ModelSealError('INVALID_ARGUMENT', `artifact ${ref} is not in the store at ${root}`);
      const stored = await readFile(found.path);
      const plain = found.encrypted ? decryptEnvelope(stored, readKeys, ref) : stored;
      const actual = createHash('sha256').update(plain).digest('hex');
      if (actual !== hex) {
        throw new ModelSealError(
          'CORRUPT_FILE',
          `artifact ${ref} is corrupt: its content hashes to sha256:${actual} (file ${found.path}); the bytes were altered or damaged`,
        );
      }
      return plain;
    },

    async has(ref, lookup) {
      return (await locate(ref, lookup)).found !== undefined;
    },

    async stat(ref, lookup) {
      const { hex, found } = await locate(ref, lookup);
      if (!found) return undefined;
      return {
        ref: formatRef(hex),
        sha256: hex,
        kind: found.kind,
        size: found.encrypted ? Math.max(0, found.storedSize - HEADER_LENGTH) : found.storedSize,
        storedSize: found.storedSize,
        encrypted: found.encrypted,
        path: found.path,
      };
    },

    async delete(ref, lookup) {
      const hex = parseRef(ref);
      const all = await locateAll(hex, lookup);
      for (const copy of all) await rm(copy.path, { force: true });
      return all.length > 0;
    },

    async list(lookup) {
      const kinds = lookup?.kind === undefined ? ARTIFACT_KINDS : [assertKind(lookup.kind)];
      const out: ArtifactStat[] = [];
      for (const kind of kinds) {
        const shards = await readdir(join(root, kind)).catch(() => [] as string[]);
        for (const shard of shards.sort()) {
          for (const name of (await readdir(join(root, kind, shard)).catch(() => [] as string[])).sort()) {
            const match = /^([0-9a-f]{64})(\.enc)?$/.exec(name);
            // Skip anything that is not one of our files (and files in the wrong shard folder).
            if (!match?.[1] || !match[1].startsWith(shard)) continue;
            const encrypted = match[2] !== undefined;
            const path = join(root, kind, shard, name);
            const info = await fsStat(path).catch(() => undefined);
            if (!info?.isFile()) continue;
            out.push({
              ref: formatRef(match[1]),
              sha256: match[1],
              kind,
              size: encrypted ? Math.max(0, info.size - HEADER_LENGTH) : info.size,
              storedSize: info.size,
              encrypted,
              path,
            });
          }
        }
      }
      return out;
    },

    async sweepTemp(olderThanMs = 3_600_000) {
      const names = await readdir(tmpDir).catch(() => [] as string[]);
      const cutoff = Date.now() - olderThanMs;
      let removed = 0;
      for (const name of names) {
        const path = join(tmpDir, name);
        const info = await fsStat(path).catch(() => undefined);
        if (info?.isFile() && info.mtimeMs < cutoff) {
          await rm(path, { force: true });
          removed += 1;
        }
      }
      return removed;
    },

    putFolder: (dir, folderOptions) => putFolder(store, dir, folderOptions),
    putFiles: (files, folderOptions) => putFiles(store, files, folderOptions),
    materialize: (ref, dir) => materialize(store, ref, dir),
  };
  return store;
}
