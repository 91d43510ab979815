import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ModelSealError } from '@modelseal/core';
import { assertKind, formatRef } from './ref.ts';
import type { ArtifactKind } from './ref.ts';
import type { ArtifactStore, LookupOptions, PutResult } from './store.ts';

/**
 * A multi-file artifact (a TF.js model folder: model.json + weight shards) is
 * stored as one file per member plus a manifest that lists them. The manifest is
 * deterministic (sorted paths, fixed key order), so the same folder always gets
 * the same ref, and it is itself content-addressed, so a changed member changes
 * the bundle's ref. No tar: members stay individually deduplicated.
 */
export const BUNDLE_FORMAT = 'modelseal-bundle';
export const BUNDLE_VERSION = 1;

export interface BundleEntry {
  /** Relative path with '/' separators. */
  path: string;
  sha256: string;
  size: number;
}

export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  version: typeof BUNDLE_VERSION;
  files: BundleEntry[];
}

export interface PutFolderOptions {
  /** Defaults to 'model'. Members and manifest are stored under this kind. */
  kind?: ArtifactKind;
  encrypt?: boolean;
}

export interface PutFolderResult extends PutResult {
  files: BundleEntry[];
}

/** Files under dir, as sorted '/'-separated relative paths; links and special files are refused. */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (current: string): Promise<void> => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) out.push(relative(dir, full).split(sep).join('/'));
      else {
        // A symlink could pull a file from outside the folder (say, a credentials file) into the store.
        throw new ModelSealError('INVALID_ARGUMENT', `${full}: only regular files and folders can be bundled (links and special files are refused)`);
      }
    }
  };
  await walk(dir);
  // Code-unit order, not locale order: the manifest must be the same on every machine.
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function serializeManifest(files: readonly BundleEntry[]): Buffer {
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    files: files.map(({ path, sha256, size }) => ({ path, sha256, size })),
  };
  return Buffer.from(JSON.stringify(manifest), 'utf8');
}

/**
 * A member path that is safe to join onto a target folder: relative, '/'-separated,
 * no '.', '..' or empty segments. The manifest is authenticated by its hash, but a
 * hostile store could still hold a crafted one; materialize must never write
 * outside its folder.
 */
export function isSafeMemberPath(path: string): boolean {
  if (typeof path !== 'string' || path === '' || path.includes('\\') || path.includes('\0') || path.startsWith('/')) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..' && !/^[A-Za-z]:$/.test(segment));
}

export function parseManifest(bytes: Uint8Array, ref: string): BundleManifest {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new ModelSealError('INVALID_ARGUMENT', `artifact ${ref} is not a folder bundle (not JSON)`);
  }
  const m = value as Partial<BundleManifest> | null;
  if (m === null || typeof m !== 'object' || m.format !== BUNDLE_FORMAT) {
    throw new ModelSealError('INVALID_ARGUMENT', `artifact ${ref} is not a folder bundle`);
  }
  if (m.version !== BUNDLE_VERSION) {
    throw new ModelSealError('UNSUPPORTED', `folder bundle ${ref} has version ${String(m.version)}; this build reads ${BUNDLE_VERSION}`);
  }
  if (!Array.isArray(m.files)) throw new ModelSealError('CORRUPT_FILE', `folder bundle ${ref} has no file list`);
  const seen = new Set<string>();
  for (const entry of m.files as unknown[]) {
    const e = entry as Partial<BundleEntry> | null;
    if (
      e === null ||
      typeof e !== 'object' ||
      typeof e.path !== 'string' ||
      !isSafeMemberPath(e.path) ||
      typeof e.sha256 !== 'string' ||
      !/^[0-9a-f]{64}$/.test(e.sha256) ||
      typeof e.size !== 'number' ||
      !Number.isSafeInteger(e.size) ||
      e.size < 0
    ) {
      throw new ModelSealError('CORRUPT_FILE', `folder bundle ${ref} has an invalid or unsafe entry: ${JSON.stringify(entry).slice(0, 200)}`);
    }
    if (seen.has(e.path)) throw new ModelSealError('CORRUPT_FILE', `folder bundle ${ref} lists ${e.path} twice`);
    seen.add(e.path);
  }
  return m as BundleManifest;
}

export async function putFolder(store: Pick<ArtifactStore, 'put'>, dir: string, options: PutFolderOptions = {}): Promise<PutFolderResult> {
  const kind = assertKind(options.kind ?? 'model');
  const info = await lstat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new ModelSealError('INVALID_ARGUMENT', `${dir} is not a folder`);
  const paths = await listFiles(dir);
  if (paths.length === 0) throw new ModelSealError('INVALID_ARGUMENT', `${dir} holds no files to bundle`);
  const files: BundleEntry[] = [];
  for (const path of paths) {
    const put = await store.put(createReadStream(join(dir, ...path.split('/'))), { kind, encrypt: options.encrypt });
    files.push({ path, sha256: put.sha256, size: put.size });
  }
  const manifest = await store.put(serializeManifest(files), { kind, encrypt: options.encrypt });
  return { ...manifest, files };
}

export async function readManifest(store: Pick<ArtifactStore, 'get'>, ref: string, lookup?: LookupOptions): Promise<BundleManifest> {
  return parseManifest(await store.get(ref, lookup), ref);
}

/**
 * Writes a bundle's members into dir (created if needed), each verified against
 * its sha256 and written atomically. Existing files of the same names are replaced.
 * Encrypted members land in plaintext: that is what loading a model needs.
 */
export async function materialize(store: Pick<ArtifactStore, 'get'>, ref: string, dir: string): Promise<string[]> {
  const manifest = await readManifest(store, ref);
  const base = resolve(dir);
  await mkdir(base, { recursive: true });
  const written: string[] = [];
  for (const entry of manifest.files) {
    const target = resolve(base, ...entry.path.split('/'));
    // Belt and braces after isSafeMemberPath: the resolved path must stay inside base.
    if (!target.startsWith(base + sep)) {
      throw new ModelSealError('CORRUPT_FILE', `folder bundle ${ref}: member ${entry.path} would be written outside ${base}`);
    }
    const bytes = await store.get(formatRef(entry.sha256));
    if (bytes.length !== entry.size) {
      throw new ModelSealError('CORRUPT_FILE', `folder bundle ${ref}: member ${entry.path} is ${bytes.length} bytes, manifest says ${entry.size}`);
    }
    await mkdir(dirname(target), { recursive: true });
    const tmp = `${target}.${randomUUID()}.tmp`;
    try {
      await writeFile(tmp, bytes, { flag: 'wx' });
      await rename(tmp, target);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
    written.push(target);
  }
  return written;
}
