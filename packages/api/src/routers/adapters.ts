import type { AdapterFactory } from '@modelseal/core';
import { z } from 'zod';
import type { Context } from '../context.ts';
import { BUILT_IN_ADAPTER_KINDS } from '../models/fields.ts';
import { uploadFormat } from '../upload/formats.ts';
import { authedProcedure, router } from '../trpc.ts';

/** A JSON Schema (draft 2020-12) object, as z.toJSONSchema writes it. */
export type ConfigJsonSchema = z.core.JSONSchema.BaseSchema;

export interface AdapterInfo {
  readonly kind: string;
  readonly title: string;
  readonly description: string;
  /** The config the adapter takes, for generating a form; null when it cannot be expressed. */
  readonly configJsonSchema: ConfigJsonSchema | null;
  /** Set when models of this kind can be uploaded (models.upload): which files, and the config key naming the entry file. */
  readonly upload: { readonly accepts: string[]; readonly entryKey: 'path' } | null;
}

/** Used when the host passed no registry: the kinds models.register then accepts, without schemas. */
const BUILT_IN_INFO: Record<(typeof BUILT_IN_ADAPTER_KINDS)[number], { title: string; description: string }> = {
  tfjs: { title: 'TF.js model', description: 'A TF.js LayersModel or GraphModel on disk (model.json with its weight files).' },
  onnx: { title: 'ONNX model', description: 'A classifier exported to ONNX, run locally with ONNX Runtime.' },
  http: { title: 'Remote model (HTTP)', description: 'A model behind an Open Inference Protocol v2 or TensorFlow Serving REST endpoint.' },
};

function configJsonSchema(factory: AdapterFactory): ConfigJsonSchema | null {
  try {
    // 'input': the form fills what the caller sends, so defaulted fields are optional in it.
    return z.toJSONSchema(factory.configSchema, { io: 'input', unrepresentable: 'any' });
  } catch {
    return null;
  }
}

function uploadInfo(ctx: Context, kind: string): AdapterInfo['upload'] {
  const format = uploadFormat(kind);
  // Uploads are opened before they are accepted, which needs the registry and a store to keep them.
  if (!format || !ctx.adapters || !ctx.artifacts) return null;
  return { accepts: [...format.accepts], entryKey: format.entryKey };
}

export const adaptersRouter = router({
  /** The adapter kinds this server can open, with their config schemas, for the model registration form. */
  list: authedProcedure.query(({ ctx }): AdapterInfo[] => {
    if (!ctx.adapters) {
      return BUILT_IN_ADAPTER_KINDS.map((kind) => ({ kind, ...BUILT_IN_INFO[kind], configJsonSchema: null, upload: null }));
    }
    return ctx.adapters.list().map((factory) => ({
      kind: factory.kind,
      title: factory.title,
      description: factory.description,
      configJsonSchema: configJsonSchema(factory),
      upload: uploadInfo(ctx, factory.kind),
    }));
  }),
});
