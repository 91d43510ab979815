// The multipart form of models.upload, read into typed fields. FormData carries strings and
// files under repeatable names, so each field's count and type is checked here.
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { adapterKindSchema, modelNameSchema } from '../models/fields.ts';

/** A file part of the form (the undici File type, which differs slightly from node:buffer's). */
export type UploadedFile = Exclude<ReturnType<FormData['get']>, string | null>;

export interface UploadForm {
  readonly projectId: string;
  readonly name: string;
  readonly adapterKind: string;
  /** Adapter settings besides the path, which the upload decides. */
  readonly config: Record<string, unknown>;
  readonly files: readonly UploadedFile[];
}

/** The form's field names, as the dashboard and scripts send them. */
export const UPLOAD_FIELDS = { projectId: 'projectId', name: 'name', adapterKind: 'adapterKind', config: 'config', files: 'files' } as const;

const MAX_CONFIG_CHARS = 64 * 1024;

const textFields = z.object({
  projectId: z.uuid(),
  name: modelNameSchema,
  adapterKind: adapterKindSchema,
  config: z.string().max(MAX_CONFIG_CHARS).optional(),
});

function bad(message: string): TRPCError {
  return new TRPCError({ code: 'BAD_REQUEST', message });
}

function parseConfig(text: string | undefined): Record<string, unknown> {
  if (text === undefined || text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw bad(`form field "config" is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('form field "config" must be a JSON object');
  return value as Record<string, unknown>;
}

export function readUploadForm(form: FormData): UploadForm {
  const known = new Set<string>(Object.values(UPLOAD_FIELDS));
  const unknown = [...new Set([...form.keys()].filter((key) => !known.has(key)))];
  if (unknown.length > 0) throw bad(`unknown form field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k.slice(0, 50)}"`).join(', ')} (expected ${[...known].join(', ')})`);

  const text: Record<string, string> = {};
  for (const field of [UPLOAD_FIELDS.projectId, UPLOAD_FIELDS.name, UPLOAD_FIELDS.adapterKind, UPLOAD_FIELDS.config]) {
    const values = form.getAll(field);
    if (values.length > 1) throw bad(`form field "${field}" is given ${values.length} times`);
    const [value] = values;
    if (value === undefined) continue;
    if (typeof value !== 'string') throw bad(`form field "${field}" must be text, not a file`);
    text[field] = value;
  }
  const parsed = textFields.safeParse(text);
  if (!parsed.success) throw bad(`invalid upload form: ${z.prettifyError(parsed.error)}`);

  const entries = form.getAll(UPLOAD_FIELDS.files);
  if (entries.length === 0) throw bad('the upload has no files: send each model file as a "files" field');
  const files = entries.filter((entry): entry is UploadedFile => typeof entry !== 'string');
  if (files.length !== entries.length) throw bad('every "files" field must be a file, sent with its file name');
  return { ...parsed.data, config: parseConfig(parsed.data.config), files };
}
