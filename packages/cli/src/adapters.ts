import { existsSync } from 'node:fs';
import { AdapterRegistry, ModelSealError, type AdapterContext, type ModelAdapter } from '@modelseal/core';
import { tfjsAdapterFactory } from '@modelseal/adapter-tfjs';
import { httpAdapterFactory } from '@modelseal/adapter-http';
import { onnxAdapterFactory } from '@modelseal/adapter-onnx';

/** Comma-separated plug-in packages (or files) to load in addition to --plugin flags. */
export const PLUGINS_ENV = 'MODELSEAL_ADAPTER_PLUGINS';

export async function createRegistry(plugins: readonly string[] = [], cwd = process.cwd()): Promise<AdapterRegistry> {
  const registry = new AdapterRegistry();
  registry.register(tfjsAdapterFactory);
  registry.register(onnxAdapterFactory);
  registry.register(httpAdapterFactory);
  const fromEnv = (process.env[PLUGINS_ENV] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const plugin of [...fromEnv, ...plugins]) await registry.loadPlugin(plugin, { from: cwd });
  return registry;
}

function isUrl(location: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(location);
}

export interface OpenModelOptions extends AdapterContext {
  /** Force an adapter kind instead of detecting it from the location. */
  readonly adapterKind?: string;
  /** Let the HTTP adapter reach loopback and private addresses (refused by default). */
  readonly allowPrivate?: boolean;
}

/** Opens `--model`: a file or folder (checked to exist, so the error says so) or a URL. */
export async function openModel(registry: AdapterRegistry, location: string, options: OpenModelOptions = {}): Promise<ModelAdapter> {
  const { adapterKind, allowPrivate, ...context } = options;
  if (!isUrl(location) && !existsSync(location)) {
    throw new ModelSealError('MODEL_LOAD', `model not found: ${location}`);
  }
  const factory = adapterKind ? registry.get(adapterKind) : await registry.resolveLocation(location);
  if (!factory?.configFromLocation) {
    throw new ModelSealError('UNKNOWN_ADAPTER', `no installed adapter recognises the model location "${location}"`);
  }
  const config = factory.configFromLocation(location) as Record<string, unknown>;
  if (factory.kind === 'http' && allowPrivate) config.allowPrivate = true;
  return registry.create(factory.kind, config, context);
}
