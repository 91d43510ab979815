'use client';
// A destructive action asked twice, inline (no window.confirm, which scripts and tests dismiss):
// the first click shows "question [confirm] [cancel]".
import { useState } from 'react';

export function ConfirmButton({
  label,
  question,
  confirmLabel,
  onConfirm,
  pending = false,
  disabled = false,
  testId,
}: {
  label: string;
  question: string;
  confirmLabel?: string;
  onConfirm: () => void;
  pending?: boolean;
  disabled?: boolean;
  testId?: string;
}) {
  const [asking, setAsking] = useState(false);
  if (pending) {
    return (
      <button type="button" className="danger" disabled data-testid={testId}>
        {label}…
      </button>
    );
  }
  if (!asking) {
    return (
      <button type="button" className="danger" disabled={disabled} data-testid={testId} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={question}>
      <span className="small">{question}</span>
      <button
        type="button"
        className="danger"
        data-testid={testId ? `${testId}-confirm` : undefined}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel ?? `Yes, ${label.toLowerCase()}`}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
