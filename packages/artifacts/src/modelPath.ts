// Where a registered model's `path` may point. The API checks it at registration and the worker
// again when it opens the model: a project member must not be able to make the service read
// arbitrary files of the machine it runs on (keys, other tenants' models) by naming them.
import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ModelSealError } from '@modelseal/core';
import { ARTIFACT_KINDS } from './ref.ts';

/** Colon-separated absolute folders that registered models may name by absolute path. */
export const MODEL_ROOTS_ENV = 'MODELSEAL_MODEL_ROOTS';

/** Reads MODELSEAL_MODEL_ROOTS; unset or empty means no absolute model paths are allowed. */
export function modelRootsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const roots = (env[MODEL_ROOTS_ENV] ?? '')
    .split(':')
    .map((root) => root.trim())
    .filter((root) => root !== '');
  for (const root of roots) {
    if (!isAbsolute(root)) throw new ModelSealError('INVALID_CONFIG', `${MODEL_ROOTS_ENV}: "${root}" is not an absolute folder path`);
  }
  return roots.map((root) => resolve(root));
}

export interface ModelPathRules {
  /** Folder that relative paths resolve in: the artifacts folder, or an uploaded model's folder. */
  readonly base: string;
  /** How messages name `base`; default "the artifacts folder". */
  readonly baseName?: string;
  /** Folders that absolute paths may lead into (MODELSEAL_MODEL_ROOTS); with none, absolute paths are refused. */
  readonly roots?: readonly string[] | undefined;
  /** Top-level folders of `base` that no path may lead into, whatever the name it is reached by. */
  readonly reserved?: readonly string[] | undefined;
}

/** Where workers unpack uploaded models, under the artifacts folder; see uploadedModelFolder. */
const UPLOADED_MODELS = 'models';

/** Where workers (and the API, for originals) unpack uploaded sample sets; see uploadedSampleSetFolder. */
const UPLOADED_SAMPLE_SETS = 'sample-sets';

/**
 * Folders of the artifacts folder that the store and the workers manage: their files belong to
 * every project (other projects' uploads, encrypted trigger sets), so no model path may name them.
 */
export const MANAGED_ARTIFACT_FOLDERS: readonly string[] = [...ARTIFACT_KINDS, '.tmp', UPLOADED_MODELS, UPLOADED_SAMPLE_SETS];

/** The rules for a model registered by path: relative to the artifacts folder, or inside one of roots. */
export function registeredModelRules(artifactsDir: string, roots: readonly string[]): ModelPathRules {
  return { base: artifactsDir, roots, reserved: MANAGED_ARTIFACT_FOLDERS };
}

/**
 * The real path of target, following links as far as the path exists: a model registered
 * before its file is copied in is still checked on the part of the path that exists.
 */
async function realPathOf(target: string): Promise<string> {
  const missing: string[] = [];
  let current = resolve(target);
  for (;;) {
    try {
      return join(await realpath(current), ...missing);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const parent = dirname(current);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === current) throw error;
      missing.unshift(basename(current));
      current = parent;
    }
  }
}

function isInside(folder: string, target: string): boolean {
  const rel = relative(folder, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

async function insideAny(real: string, folders: readonly string[]): Promise<boolean> {
  for (const folder of folders) if (isInside(await realPathOf(folder), real)) return true;
  return false;
}

/**
 * Checks a model path against the rules and answers its real, absolute path. Relative paths
 * (no `..` segments) resolve inside `base`; absolute ones are accepted only inside one of
 * `roots`. Both are checked after following symbolic links, so a link cannot lead out.
 */
export async function confineModelPath(path: string, rules: ModelPathRules): Promise<string> {
  const shown = JSON.stringify(path.slice(0, 300));
  const baseName = rules.baseName ?? 'the artifacts folder';
  const roots = rules.roots ?? [];
  if (path === '') throw new ModelSealError('INVALID_ARGUMENT', 'model path is empty');
  if (path.includes('\0')) throw new ModelSealError('INVALID_ARGUMENT', `model path ${shown} contains a NUL character`);
  if (path.split(/[\\/]/).includes('..')) {
    throw new ModelSealError('INVALID_ARGUMENT', `model path ${shown} has a ".." segment: model paths may not climb out of ${baseName}`);
  }
  if (isAbsolute(path)) {
    if (roots.length === 0) {
      throw new ModelSealError(
        'INVALID_ARGUMENT',
        `model path ${shown} is absolute: upload the model (models.upload) or give a path relative to ${baseName}; ` +
          `absolute paths need the operator to allow their folder in ${MODEL_ROOTS_ENV}`,
      );
    }
    if (!(await insideAny(await realPathOf(path), roots))) {
      throw new ModelSealError(
        'INVALID_ARGUMENT',
        `model path ${shown} is not inside a folder allowed by ${MODEL_ROOTS_ENV} (after following links): ` +
          'upload the model (models.upload) or move it under an allowed folder',
      );
    }
    return realPathOf(path);
  }
  const real = await realPathOf(resolve(rules.base, path));
  const realBase = await realPathOf(rules.base);
  if (isInside(realBase, real)) {
    const top = relative(realBase, real).split(sep)[0] ?? '';
    if (rules.reserved?.includes(top)) {
      throw new ModelSealError(
        'INVALID_ARGUMENT',
        `model path ${shown} leads into "${top}", a folder the artifact store manages for every project: upload the model (models.upload) instead`,
      );
    }
    return real;
  }
  // A link out of base is fine when it lands in a folder the operator allowed anyway.
  if (!(await insideAny(real, roots))) {
    throw new ModelSealError('INVALID_ARGUMENT', `model path ${shown} leads out of ${baseName} through a symbolic link`);
  }
  return real;
}

/**
 * Where workers unpack an uploaded model (a bundle in the store) to open it: one folder per
 * bundle digest under the artifacts folder, shared by every job on that model.
 */
export function uploadedModelFolder(artifactsDir: string, bundleSha256: string): string {
  return join(artifactsDir, UPLOADED_MODELS, bundleSha256);
}

/**
 * Where an uploaded sample set (a bundle of `<class>/<image>` files) is unpacked to be loaded as an
 * image folder: one folder per bundle digest under the artifacts folder, shared by every job on it.
 * Like every managed folder, no model path may lead into it.
 */
export function uploadedSampleSetFolder(artifactsDir: string, bundleSha256: string): string {
  return join(artifactsDir, UPLOADED_SAMPLE_SETS, bundleSha256);
}

/** Set to 1/true to let project members point models at internal addresses (single-tenant setups). */
export const PRIVATE_ENDPOINTS_ENV = 'MODELSEAL_ALLOW_PRIVATE_ENDPOINTS';

export function privateEndpointsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return ['1', 'true'].includes((env[PRIVATE_ENDPOINTS_ENV] ?? '').toLowerCase());
}

/**
 * The network twin of confineModelPath. A remote model's config may open the adapter's SSRF guard
 * (`allowPrivate`, `allowHosts`), but that is the operator's call, not a project member's: the
 * worker sits inside the platform's network. Any adapter using these conventional keys is covered.
 */
export function confineModelEndpoint(config: unknown, allowPrivateEndpoints: boolean): void {
  if (allowPrivateEndpoints || typeof config !== 'object' || config === null) return;
  const { allowPrivate, allowHosts } = config as { allowPrivate?: unknown; allowHosts?: unknown };
  const widens = allowPrivate === true || (Array.isArray(allowHosts) && allowHosts.length > 0);
  if (widens) {
    throw new ModelSealError(
      'FORBIDDEN_ADDRESS',
      `this server does not let models reach internal addresses (allowPrivate/allowHosts); the operator can allow it with ${PRIVATE_ENDPOINTS_ENV}=1`,
    );
  }
}
