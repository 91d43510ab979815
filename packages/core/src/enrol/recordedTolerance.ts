/**
 * The probability-mode tolerance enrolment recorded in a trigger set's metadata
 * (`extra.probabilityTolerance`), or undefined for a set that was never enrolled.
 */
export function recordedTolerance(extra: Readonly<Record<string, unknown>>): number | undefined {
  const value = extra.probabilityTolerance;
  return typeof value === 'number' && value > 0 ? value : undefined;
}
