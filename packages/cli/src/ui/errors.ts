import { isModelSealError } from '@modelseal/core';

/** A mistake in how the command was called; reported like any other error (exit 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit status like diff(1): 0 same/ok, 1 different (tampered), 2 trouble. */
export const EXIT = { ok: 0, tampered: 1, error: 2 } as const;

/** One line that says what was wrong, without a stack trace for expected failures. */
export function formatError(error: unknown): string {
  if (isModelSealError(error)) return `modelseal: ${error.message}`;
  if (error instanceof UsageError) return `modelseal: ${error.message}`;
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') return `modelseal: ${error.message}`;
    return `modelseal: unexpected error: ${error.stack ?? error.message}`;
  }
  return `modelseal: unexpected error: ${String(error)}`;
}
