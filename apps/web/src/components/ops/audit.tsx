'use client';
// Pieces the audit pages share: the verdict of an audit row, who started it, label names.
import type { ReactNode } from 'react';
import { StatusBadge } from '../ui.tsx';

export type AuditTrigger = 'manual' | 'api' | 'schedule';

export const TRIGGER_LABEL: Record<AuditTrigger, string> = {
  manual: 'manual',
  api: 'API (CI)',
  schedule: 'schedule',
};

export function Verdict({ intact }: { intact: boolean }) {
  return <StatusBadge status={intact ? 'intact' : 'tampered'} />;
}

/** Class names from a model's config (`classNames`, as the TF.js and ONNX adapters take it), when it has them. */
export function classNamesOf(config: unknown): readonly string[] | undefined {
  if (typeof config !== 'object' || config === null) return undefined;
  const names = (config as { classNames?: unknown }).classNames;
  return Array.isArray(names) && names.every((n) => typeof n === 'string') ? (names as string[]) : undefined;
}

/** "3" or "3 (cat)". */
export function labelText(label: number | null, classNames: readonly string[] | undefined): ReactNode {
  if (label === null) return <span className="muted">not recorded</span>;
  const name = classNames?.[label];
  return (
    <>
      <code>{label}</code>
      {name ? <span className="muted"> ({name})</span> : null}
    </>
  );
}
