import type { ModelSealErrorCode } from '@modelseal/core';

/** Error codes this adapter raises, in one place. */
export const ERROR_CODES = {
  /** The server answered with an error status or could not be reached. */
  remote: 'REMOTE',
  /** No answer within timeoutMs, after every retry. */
  timeout: 'TIMEOUT',
  /** Sending would exceed queryBudget. */
  budget: 'BUDGET_EXCEEDED',
  /** The URL points at an internal address, another scheme, or embeds credentials. */
  forbidden: 'FORBIDDEN_ADDRESS',
  /** The server is up but the model is not ready or its metadata is unusable. */
  load: 'MODEL_LOAD',
  /** The response is malformed: wrong shape, missing output, non-numeric values. */
  output: 'MODEL_OUTPUT',
  nonFinite: 'NON_FINITE',
  config: 'INVALID_CONFIG',
  unsupported: 'UNSUPPORTED',
} as const satisfies Record<string, ModelSealErrorCode>;
