import { AdapterRegistry, type ModelAdapter } from '@modelseal/core';
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

/** Opens a registered model through its adapter; the config was validated at registration and is again here. */
export async function openModelRow(context: WorkerContext, model: Pick<Model, 'adapterKind' | 'config'>): Promise<ModelAdapter> {
  const adapter = await context.registry.create(model.adapterKind, model.config, { log: context.log, cwd: context.artifactsDir });
  return yieldingAdapter(adapter);
}
