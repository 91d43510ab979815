import * as tf from '@tensorflow/tfjs';
import { ModelSealError } from '@modelseal/core';
import { silenceCpuGreeting } from './wasm/backends.ts';
import { installWasmKernels } from './wasm/installKernels.ts';

export type BackendPreference = 'auto' | 'wasm' | 'cpu' | 'tensorflow';

export interface BackendInfo {
  /** TF.js backend name as `tf.setBackend` knows it. */
  readonly name: 'tensorflow' | 'wasm' | 'cpu';
  /** Human-readable runtime for `describe().runtime`, e.g. "tfjs 4.22.0 (wasm)". */
  readonly runtime: string;
}

type Log = (message: string) => void;

// Native bindings download libtensorflow at install time and are never our
// dependencies; a user who installed one gets it, everyone else falls through.
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

const chosen = new Map<BackendPreference, Promise<BackendInfo>>();

function runtimeOf(name: BackendInfo['name'], detail?: string): string {
  return `tfjs ${tf.version.tfjs} (${detail ? `${name}, ${detail}` : name})`;
}

async function activate(name: string): Promise<boolean> {
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

async function tryNative(log: Log): Promise<BackendInfo | undefined> {
  for (const specifier of NATIVE_PACKAGES) {
    try {
      // A variable specifier keeps TypeScript from asking for the package's types.
      const moduleName: string = specifier;
      await import(moduleName);
    } catch {
      continue;
    }
    // A native package bundled with a different tfjs-core registers its backend
    // on that other engine, where our models cannot use it.
    if (tf.findBackendFactory('tensorflow') && (await activate('tensorflow'))) {
      return { name: 'tensorflow', runtime: runtimeOf('tensorflow', specifier.replace('@tensorflow/', '')) };
    }
    log(`${specifier} is installed but did not register a backend with this copy of TF.js; skipping it`);
  }
  return undefined;
}

async function tryWasm(log: Log): Promise<BackendInfo | undefined> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
  } catch (error) {
    log(`the TF.js wasm backend failed to load: ${(error as Error).message}`);
    return undefined;
  }
  installWasmKernels();
  if (!(await activate('wasm'))) return undefined;
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT').catch(() => false);
  return { name: 'wasm', runtime: runtimeOf('wasm', simd ? 'simd' : undefined) };
}

async function tryCpu(): Promise<BackendInfo | undefined> {
  if (!(await activate('cpu'))) return undefined;
  silenceCpuGreeting();
  return { name: 'cpu', runtime: runtimeOf('cpu') };
}

async function select(preference: BackendPreference, log: Log): Promise<BackendInfo> {
  const attempts: Record<BackendPreference, Array<() => Promise<BackendInfo | undefined>>> = {
    auto: [() => tryNative(log), () => tryWasm(log), () => tryCpu()],
    tensorflow: [() => tryNative(log)],
    wasm: [() => tryWasm(log)],
    cpu: [() => tryCpu()],
  };
  for (const attempt of attempts[preference]) {
    const info = await attempt();
    if (info) {
      log(`TF.js backend: ${info.runtime}`);
      return info;
    }
  }
  const hint =
    preference === 'tensorflow'
      ? 'install @tensorflow/tfjs-node (or -node-gpu) next to ModelSeal, or use backend "auto"'
      : 'use backend "auto"';
  throw new ModelSealError('UNSUPPORTED', `TF.js backend "${preference}" is not available here; ${hint}`);
}

/**
 * Picks and initialises a backend once per process and preference; later calls
 * with the same preference reuse the answer. A failed attempt is forgotten so
 * that a caller can retry after fixing its installation.
 */
export function initBackend(preference: BackendPreference = 'auto', log: Log = () => {}): Promise<BackendInfo> {
  let pending = chosen.get(preference);
  if (!pending) {
    pending = select(preference, log);
    chosen.set(preference, pending);
    pending.catch(() => chosen.delete(preference));
  }
  return pending;
}

/**
 * TF.js has one active backend per process. Adapters that were created for
 * different backends (false-alarm studies compare them) switch it before each
 * computation; TF.js moves a model's weights to the active backend on use.
 */
export async function useBackend(info: BackendInfo): Promise<void> {
  if (tf.getBackend() !== info.name && !(await activate(info.name))) {
    throw new ModelSealError('UNSUPPORTED', `TF.js backend "${info.name}" could not be re-activated`);
  }
}
