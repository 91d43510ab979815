// Multipart upload forms (models.upload, sampleSets.upload), read into typed fields. FormData
// carries strings and files under repeatable names, so each field's count and type is checked here.
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { adapterKindSchema, modelNameSchema } from '../models/fields.ts';

/** A file part of the form (the undici File type, which differs slightly from node:buffer's). */
export type UploadedFile = Exclude<ReturnType<FormData['get']>, string | null>;

/** The field every upload sends its files under, one entry per file, named by its relative path. */
export const FILES_FIELD = 'files';

function bad(message: string): TRPCError {
  return new TRPCError({ code: 'BAD_REQUEST', message });
}

export interface MultipartForm<Fields> {
  readonly fields: Fields;
  readonly files: readonly UploadedFile[];
}

/**
 * Reads a multipart form: the text fields `schema` names (each at most once, as text; no other
 * fields), validated by it, and at least one file under "files". `filesHint` says in the
 * "no files" answer what each file should be.
 */
export function readMultipartForm<Schema extends z.ZodObject>(form: FormData, schema: Schema, filesHint: string): MultipartForm<z.output<Schema>> {
  const textNames = Object.keys(schema.shape);
  const known = new Set<string>([...textNames, FILES_FIELD]);
  const unknown = [...new Set([...form.keys()].filter((key) => !known.has(key)))];
  if (unknown.length > 0) throw bad(`unknown form field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k.slice(0, 50)}"`).join(', ')} (expected ${[...known].join(', ')})`);

  const text: Record<string, string> = {};
  for (const field of textNames) {
    const values = form.getAll(field);
    if (values.length > 1) throw bad(`form field "${field}" is given ${values.length} times`);
    const [value] = values;
    if (value === undefined) continue;
    if (typeof value !== 'string') throw bad(`form field "${field}" must be text, not a file`);
    text[field] = value;
  }
  const parsed = schema.safeParse(text);
  if (!parsed.success) throw bad(`invalid upload form: ${z.prettifyError(parsed.error)}`);

  const entries = form.getAll(FILES_FIELD);
  if (entries.length === 0) throw bad(`the upload has no files: send ${filesHint} as a "${FILES_FIELD}" field`);
  const files = entries.filter((entry): entry is UploadedFile => typeof entry !== 'string');
  if (files.length !== entries.length) throw bad(`every "${FILES_FIELD}" field must be a file, sent with its file name`);
  return { fields: parsed.data, files };
}

export interface UploadForm {
  readonly projectId: string;
  readonly name: string;
  readonly adapterKind: string;
  /** Adapter settings besides the path, which the upload decides. */
  readonly config: Record<string, unknown>;
  readonly files: readonly UploadedFile[];
}

/** The form's field names, as the dashboard and scripts send them. */
export const UPLOAD_FIELDS = { projectId: 'projectId', name: 'name', adapterKind: 'adapterKind', config: 'config', files: FILES_FIELD } as const;

const MAX_CONFIG_CHARS = 64 * 1024;

const textFields = z.object({
  projectId: z.uuid(),
  name: modelNameSchema,
  adapterKind: adapterKindSchema,
  config: z.string().max(MAX_CONFIG_CHARS).optional(),
});

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

/** models.upload's form. */
export function readUploadForm(form: FormData): UploadForm {
  const { fields, files } = readMultipartForm(form, textFields, 'each model file');
  return { ...fields, config: parseConfig(fields.config), files };
}
