import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ModelSealError } from '@modelseal/core';
import { assertKind, formatRef } from './ref.ts';
import type { ArtifactKind } from './ref.ts';
import type { ArtifactInput, ArtifactStore, LookupOptions, PutResult } from './store.ts';

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

/** Code-unit order, not locale order: the manifest must be the same on every machine. */
function codeUnitOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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
  return out.sort(codeUnitOrder);
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

/** One member of a bundle built from bytes in memory (an upload). */
export interface BundleFile {
  /** Relative path with '/' separators; see isSafeMemberPath. */
  path: string;
  bytes: Uint8Array;
}

interface Member {
  path: string;
  read: () => ArtifactInput;
}

/** Stores each member, then the manifest that lists them; members must already be sorted by path. */
async function putMembers(store: Pick<ArtifactStore, 'put'>, members: readonly Member[], options: PutFolderOptions): Promise<PutFolderResult> {
  const kind = assertKind(options.kind ?? 'model');
  const files: BundleEntry[] = [];
  for (const member of members) {
    const put = await store.put(member.read(), { kind, encrypt: options.encrypt });
    files.push({ path: member.path, sha256: put.sha256, size: put.size });
  }
  const manifest = await store.put(serializeManifest(files), { kind, encrypt: options.encrypt });
  return { ...manifest, files };
}

export async function putFolder(store: Pick<ArtifactStore, 'put'>, dir: string, options: PutFolderOptions = {}): Promise<PutFolderResult> {
  assertKind(options.kind ?? 'model');
  const info = await lstat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new ModelSealError('INVALID_ARGUMENT', `${dir} is not a folder`);
  const paths = await listFiles(dir);
  if (paths.length === 0) throw new ModelSealError('INVALID_ARGUMENT', `${dir} holds no files to bundle`);
  return putMembers(store, paths.map((path) => ({ path, read: () => createReadStream(join(dir, ...path.split('/'))) })), options);
}

/**
 * Checks that a list of member paths can be materialized side by side: every path safe, none
 * twice, and none both a file and a folder ("a" beside "a/b"), which no folder can hold.
 */
export function checkMemberPaths(paths: readonly string[]): void {
  if (paths.length === 0) throw new ModelSealError('INVALID_ARGUMENT', 'a bundle needs at least one file');
  const seen = new Set<string>();
  for (const path of paths) {
    if (!isSafeMemberPath(path)) {
      throw new ModelSealError(
        'INVALID_ARGUMENT',
        `unsafe file name ${JSON.stringify(path.slice(0, 200))}: use a relative path with '/' separators and no empty, '.' or '..' segments`,
      );
    }
    if (seen.has(path)) throw new ModelSealError('INVALID_ARGUMENT', `file ${path} is given twice`);
    seen.add(path);
  }
  for (const path of paths) {
    const segments = path.split('/');
    for (let i = 1; i < segments.length; i++) {
      const folder = segments.slice(0, i).join('/');
      if (seen.has(folder)) throw new ModelSealError('INVALID_ARGUMENT', `${folder} is given as a file and as the folder of ${path}`);
    }
  }
}

/** Stores files held in memory (an upload) as one bundle, exactly as putFolder would store the same folder. */
export async function putFiles(store: Pick<ArtifactStore, 'put'>, files: readonly BundleFile[], options: PutFolderOptions = {}): Promise<PutFolderResult> {
  assertKind(options.kind ?? 'model');
  checkMemberPaths(files.map((file) => file.path));
  const members = files.map(({ path, bytes }) => ({ path, read: () => bytes })).sort((a, b) => codeUnitOrder(a.path, b.path));
  return putMembers(store, members, options);
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

async function isDirectory(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/**
 * Materializes a bundle into dir unless a copy is already there, and answers dir. The folder
 * appears whole or not at all (members go to a temp sibling that is renamed into place), so
 * several processes may do this at once for the same ref: the first rename wins, the others
 * find the same content there and drop their copies. Meant for folders named after the ref.
 */
export async function materializeOnce(store: Pick<ArtifactStore, 'get'>, ref: string, dir: string): Promise<string> {
  const target = resolve(dir);
  if (await isDirectory(target)) return target;
  await mkdir(dirname(target), { recursive: true });
  const tmp = `${target}.${randomUUID()}.tmp`;
  try {
    await materialize(store, ref, tmp);
    await rename(tmp, target);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if ((code === 'ENOTEMPTY' || code === 'EEXIST') && (await isDirectory(target))) return target;
    throw error;
  }
  return target;
}
