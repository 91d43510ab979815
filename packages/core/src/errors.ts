/**
 * Every failure a user can cause (bad input, corrupt file, misbehaving model)
 * surfaces as a ModelSealError with a stable code, so CLIs and APIs can map it
 * to an exit status or HTTP status without parsing messages.
 */
export type ModelSealErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_CONFIG'
  | 'INPUT_SHAPE'
  | 'NON_FINITE'
  | 'MODEL_LOAD'
  | 'MODEL_OUTPUT'
  | 'CORRUPT_FILE'
  | 'SIGNATURE_MISMATCH'
  | 'UNSIGNED_FILE'
  | 'MODEL_MISMATCH'
  | 'UNKNOWN_ADAPTER'
  | 'UNSUPPORTED'
  | 'DATASET'
  | 'ABORTED'
  | 'DISPOSED'
  | 'REMOTE'
  | 'TIMEOUT'
  | 'BUDGET_EXCEEDED'
  | 'FORBIDDEN_ADDRESS';

export class ModelSealError extends Error {
  readonly code: ModelSealErrorCode;

  constructor(code: ModelSealErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelSealError';
    this.code = code;
  }
}

export function isModelSealError(error: unknown): error is ModelSealError {
  return error instanceof ModelSealError;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new ModelSealError('ABORTED', 'operation was cancelled', { cause: signal.reason });
  }
}
