import { confineModelEndpoint, confineModelPath, materializeOnce, privateEndpointsFromEnv, modelRootsFromEnv, parseRef, registeredModelRules, uploadedModelFolder, type ModelPathRules } from '@modelseal/artifacts';
import { AdapterRegistry, ModelSealError, type ModelAdapter } from '@modelseal/core';
import { httpAdapterFactory } from '@modelseal/adapter-http';
import { onnxAdapterFactory } from '@modelseal/adapter-onnx';
import { tfjsAdapterFactory } from '@modelseal/adapter-tfjs';
import type { Model } from '@modelseal/db';
import type { WorkerContext } from './context.ts';
import { yieldingAdapter } from './yielding.ts';

/** Comma-separated third-party adapter packages (or files) the worker loads at start. */
export const PLUGINS_ENV = 'MODELSEAL_ADAPTER_PLUGINS';

/** Our adapters plus the third-party ones named in configuration, resolved from `cwd`. */
export async function createAdapterRegistry(plugins: readonly string[], cwd: string): Promise<AdapterRegistry> {
  const registry = new AdapterRegistry();
  registry.register(tfjsAdapterFactory);
  registry.register(onnxAdapterFactory);
  registry.register(httpAdapterFactory);
  for (const plugin of plugins) await registry.loadPlugin(plugin, { from: cwd });
  return registry;
}

type ModelRow = Pick<Model, 'adapterKind' | 'config' | 'artifactRef'>;

/** Uploaded models (models.upload) carry their bundle's `sha256:` ref; other refs are free-form labels. */
function bundleDigest(artifactRef: string | null): string | undefined {
  if (artifactRef === null || !artifactRef.startsWith('sha256:')) return undefined;
  return parseRef(artifactRef);
}

/**
 * Where the model's relative `path` resolves and which rules confine it: an uploaded model's
 * own folder (unpacked from the store once, then shared by every job), else the artifacts folder.
 */
async function pathRules(context: WorkerContext, model: ModelRow): Promise<ModelPathRules> {
  const digest = bundleDigest(model.artifactRef);
  if (digest === undefined) return registeredModelRules(context.artifactsDir, context.modelRoots ?? modelRootsFromEnv());
  const ref = `sha256:${digest}`;
  if (!(await context.artifacts.has(ref, { kind: 'model' }))) {
    throw new ModelSealError('MODEL_LOAD', `the model's files (${ref}) are not in the artifact store at ${context.artifacts.root}; upload the model again`);
  }
  const base = await materializeOnce(context.artifacts, ref, uploadedModelFolder(context.artifactsDir, digest));
  // An uploaded model is whole in its folder: nothing outside it may be named, whatever the roots.
  return { base, baseName: 'the uploaded model' };
}

/**
 * Opens a registered model through its adapter. The config was validated at registration and
 * is again here, and so is its path (defense in depth: rows can be edited behind the API).
 */
export async function openModelRow(context: WorkerContext, model: ModelRow): Promise<ModelAdapter> {
  const rules = await pathRules(context, model);
  const { config } = model;
  if (typeof config === 'object' && config !== null && !Array.isArray(config) && typeof config.path === 'string') {
    await confineModelPath(config.path, rules);
  }
  confineModelEndpoint(config, context.allowPrivateEndpoints ?? privateEndpointsFromEnv());
  const adapter = await context.registry.create(model.adapterKind, config, { log: context.log, cwd: rules.base });
  return yieldingAdapter(adapter);
}
