/**
 * Typed trigger-set metadata and its mapping to safetensors string metadata.
 * Safetensors metadata can only hold strings, so numbers and structured values are
 * written in forms a Python reader parses with float()/int()/json.loads().
 */
import type { Layout } from '../adapter/contract.ts';
import { ModelSealError } from '../errors.ts';

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export const TRIGGER_SET_FORMAT = 'modelseal.trigger-set';
export const TRIGGER_SET_FORMAT_VERSION = '1';

export interface TriggerSetMetadata {
  /** sha256 of the model's artifacts; empty when the model has none (e.g. a remote endpoint). */
  readonly modelFingerprint: string;
  /** Runtime the set was made against, e.g. "onnxruntime-node (cpu)". */
  readonly modelRuntime: string;
  /** Objective minimised during fragilization, e.g. "weighted-variance" or "variance". */
  readonly objective: string;
  /** Step size ε. */
  readonly epsilon: number;
  /** Iterations actually run. */
  readonly iterations: number;
  /** ISO 8601 timestamp. */
  readonly createdAt: string;
  /** Layout of `inputs` (the model's). */
  readonly layout: Layout;
  /** Inclusive range of the model's input values. */
  readonly valueRange: readonly [number, number];
  readonly classNames?: readonly string[];
  /** Free-form JSON values (per-sample stats, noise floor, tolerance, ...). */
  readonly extra: Readonly<Record<string, JsonValue>>;
}

/** Keys that carry integrity data; they are excluded from the bytes they protect. */
export const INTEGRITY_KEYS = {
  contentSha256: 'content_sha256',
  signature: 'signature',
  signatureAlgorithm: 'signature_alg',
} as const;

const LAYOUTS: readonly Layout[] = ['NCHW', 'NHWC', 'flat'];
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;

type ErrorCode = 'INVALID_ARGUMENT' | 'CORRUPT_FILE';

/** The string metadata written to the file (without integrity keys). Validates first. */
export function metadataToStrings(metadata: TriggerSetMetadata): Record<string, string> {
  validateMetadata(metadata, 'INVALID_ARGUMENT');
  const strings: Record<string, string> = {
    format: TRIGGER_SET_FORMAT,
    format_version: TRIGGER_SET_FORMAT_VERSION,
    model_fingerprint: metadata.modelFingerprint,
    model_runtime: metadata.modelRuntime,
    objective: metadata.objective,
    epsilon: String(metadata.epsilon),
    iterations: String(metadata.iterations),
    created_at: metadata.createdAt,
    layout: metadata.layout,
    value_range: JSON.stringify(metadata.valueRange),
    extra: JSON.stringify(metadata.extra),
  };
  if (metadata.classNames !== undefined) strings.class_names = JSON.stringify(metadata.classNames);
  return strings;
}

/**
 * Parses string metadata read from a file. Throws CORRUPT_FILE naming the key
 * that is missing or malformed. Unknown keys are ignored (they are still
 * covered by the checksum).
 */
export function metadataFromStrings(strings: Readonly<Record<string, string>> | undefined): TriggerSetMetadata {
  assertTriggerSetFormat(strings);
  const version = required(strings, 'format_version');
  if (version !== TRIGGER_SET_FORMAT_VERSION) {
    throw new ModelSealError(
      'UNSUPPORTED',
      `trigger set format_version ${JSON.stringify(version)} is not supported (this ModelSeal reads version ${TRIGGER_SET_FORMAT_VERSION})`,
    );
  }
  const layout = required(strings, 'layout');
  if (!(LAYOUTS as readonly string[]).includes(layout)) {
    throw corruptKey(`metadata "layout" must be one of ${LAYOUTS.join(', ')}, got ${JSON.stringify(layout)}`);
  }
  const classNamesText = strings.class_names;
  const metadata: TriggerSetMetadata = {
    modelFingerprint: required(strings, 'model_fingerprint'),
    modelRuntime: required(strings, 'model_runtime'),
    objective: required(strings, 'objective'),
    epsilon: numberAt(strings, 'epsilon'),
    iterations: numberAt(strings, 'iterations'),
    createdAt: required(strings, 'created_at'),
    layout: layout as Layout,
    valueRange: jsonAt('value_range', required(strings, 'value_range')) as [number, number],
    extra: (strings.extra === undefined ? {} : jsonAt('extra', strings.extra)) as Record<string, JsonValue>,
    ...(classNamesText === undefined
      ? {}
      : { classNames: jsonAt('class_names', classNamesText) as string[] }),
  };
  validateMetadata(metadata, 'CORRUPT_FILE');
  return metadata;
}

/** Throws CORRUPT_FILE unless the metadata names this file format. */
export function assertTriggerSetFormat(
  strings: Readonly<Record<string, string>> | undefined,
): asserts strings is Readonly<Record<string, string>> {
  const format = strings !== undefined && Object.hasOwn(strings, 'format') ? strings.format : undefined;
  if (format !== TRIGGER_SET_FORMAT) {
    const found = format === undefined ? 'it has no "format" metadata' : `its format is ${JSON.stringify(format)}`;
    throw corruptKey(`not a ModelSeal trigger set: ${found}, expected "${TRIGGER_SET_FORMAT}"`);
  }
}

/** Checks field values; `code` says whether a bad value is the caller's fault or the file's. */
export function validateMetadata(metadata: TriggerSetMetadata, code: ErrorCode): void {
  const fail = (key: string, problem: string): never => {
    throw new ModelSealError(code, `trigger set metadata "${key}" ${problem}`);
  };
  for (const [key, value] of [
    ['model_fingerprint', metadata.modelFingerprint],
    ['model_runtime', metadata.modelRuntime],
    ['objective', metadata.objective],
    ['created_at', metadata.createdAt],
  ] as const) {
    if (typeof value !== 'string') fail(key, `must be a string, got ${typeof value}`);
  }
  if (!Number.isFinite(metadata.epsilon) || metadata.epsilon < 0) {
    fail('epsilon', `must be a finite non-negative number, got ${metadata.epsilon}`);
  }
  if (!Number.isSafeInteger(metadata.iterations) || metadata.iterations < 0) {
    fail('iterations', `must be a non-negative integer, got ${metadata.iterations}`);
  }
  if (!ISO_TIMESTAMP.test(metadata.createdAt) || Number.isNaN(Date.parse(metadata.createdAt))) {
    fail('created_at', `must be an ISO 8601 timestamp, got ${JSON.stringify(metadata.createdAt)}`);
  }
  if (!LAYOUTS.includes(metadata.layout)) {
    fail('layout', `must be one of ${LAYOUTS.join(', ')}, got ${JSON.stringify(metadata.layout)}`);
  }
  const range = metadata.valueRange as unknown;
  if (
    !Array.isArray(range) ||
    range.length !== 2 ||
    !range.every((v) => typeof v === 'number' && Number.isFinite(v)) ||
    !((range[0] as number) < (range[1] as number))
  ) {
    fail('value_range', `must be [lo, hi] finite numbers with lo < hi, got ${JSON.stringify(range)}`);
  }
  const classNames = metadata.classNames as unknown;
  if (classNames !== undefined && (!Array.isArray(classNames) || !classNames.every((n) => typeof n === 'string'))) {
    fail('class_names', `must be an array of strings, got ${JSON.stringify(classNames)}`);
  }
  const extra = metadata.extra as unknown;
  if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) {
    fail('extra', `must be an object, got ${extra === null ? 'null' : typeof extra}`);
  }
  const problem = jsonProblem(extra, 'extra');
  if (problem !== undefined) fail('extra', problem);
}

/** Why `value` would not survive a JSON round trip unchanged, or undefined when it would. */
function jsonProblem(value: unknown, path: string): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `has a non-finite number at ${path}`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = jsonProblem(value[i], `${path}[${i}]`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) {
      const problem = jsonProblem(item, `${path}.${key}`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  return `holds a value that is not plain JSON (${typeof value}) at ${path}`;
}

function required(strings: Readonly<Record<string, string>>, key: string): string {
  const value = Object.hasOwn(strings, key) ? strings[key] : undefined;
  if (value === undefined) throw corruptKey(`trigger set metadata is missing the required key "${key}"`);
  return value;
}

function numberAt(strings: Readonly<Record<string, string>>, key: string): number {
  const text = required(strings, key);
  if (!JSON_NUMBER.test(text)) {
    throw corruptKey(`trigger set metadata "${key}" must be a number, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

function jsonAt(key: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw corruptKey(`trigger set metadata "${key}" is not valid JSON: ${(error as Error).message}`, error);
  }
}

function corruptKey(message: string, cause?: unknown): ModelSealError {
  return new ModelSealError('CORRUPT_FILE', message, cause === undefined ? undefined : { cause });
}
