'use client';
// A failed query, with "you may not see this" said plainly instead of as an error.
import { errorCode } from '../../client/errors.ts';
import { ErrorBox } from '../ui.tsx';

export function QueryError({ error, what, role }: { error: unknown; what: string; role?: string | undefined }) {
  if (errorCode(error) === 'FORBIDDEN') {
    return (
      <p className="notice" data-testid="forbidden">
        {role ? `The ${role} role` : 'Your role'} may not see {what}. Ask a project owner if you need access.
      </p>
    );
  }
  return <ErrorBox error={error} />;
}
