import { isModelSealError, type ModelSealErrorCode } from '@modelseal/core';

/**
 * Failures a retry cannot fix (a bad configuration, a missing dataset, a model that does not
 * load): the job fails at once instead of spending its retries and backoff on them.
 */
const PERMANENT: ReadonlySet<ModelSealErrorCode> = new Set([
  'INVALID_ARGUMENT',
  'INVALID_CONFIG',
  'INPUT_SHAPE',
  'NON_FINITE',
  'CORRUPT_FILE',
  'SIGNATURE_MISMATCH',
  'UNSIGNED_FILE',
  'MODEL_MISMATCH',
  'UNKNOWN_ADAPTER',
  'UNSUPPORTED',
  'DATASET',
  'FORBIDDEN_ADDRESS',
]);

export function isPermanent(error: unknown): boolean {
  return isModelSealError(error) && PERMANENT.has(error.code);
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
