import type { z } from 'zod';

/**
 * A zod error as one line: `path: message; path: message`. `rootLabel` names issues about
 * the value as a whole (an empty path), e.g. "(config)".
 */
export function describeIssues(error: z.ZodError, rootLabel = ''): string {
  return error.issues.map((issue) => `${issue.path.join('.') || rootLabel}: ${issue.message}`).join('; ');
}
