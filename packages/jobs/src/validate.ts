import { ModelSealError } from '@modelseal/core';
import { isJobName, JOBS, type JobName, type JobPayload } from './catalog.ts';

/** Checks a payload against its job's schema; the error names every bad field. */
export function parsePayload<Name extends JobName>(name: Name, payload: unknown): JobPayload<Name> {
  if (!isJobName(name)) throw new ModelSealError('INVALID_ARGUMENT', `unknown job "${String(name)}" (known: ${Object.keys(JOBS).join(', ')})`);
  const parsed = JOBS[name].payload.safeParse(payload);
  if (!parsed.success) {
    const details = parsed.error.issues
      .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(payload)'}: ${issue.message}`)
      .join('; ');
    throw new ModelSealError('INVALID_ARGUMENT', `invalid ${name} job payload: ${details}`);
  }
  return parsed.data as JobPayload<Name>;
}
