'use client';
// Copies a text to the clipboard; falls back to a hidden textarea where the Clipboard API is
// missing (plain-http origins other than localhost).
import { useEffect, useState } from 'react';

async function copyText(text: string): Promise<void> {
  if (typeof navigator !== 'undefined' && navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('copy failed');
}

export function CopyButton({ text, label = 'Copy', testId }: { text: string; label?: string; testId?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(timer);
  }, [state]);
  return (
    <button
      type="button"
      className="copy-button"
      data-testid={testId}
      onClick={() => copyText(text).then(() => setState('copied'), () => setState('failed'))}
    >
      {state === 'copied' ? 'Copied ✓' : state === 'failed' ? 'Copy failed: select and copy by hand' : label}
    </button>
  );
}

/** A code block with a copy button above its top-right corner. */
export function CodeBlock({ code, testId, copyLabel }: { code: string; testId?: string; copyLabel?: string }) {
  return (
    <div className="code-block">
      <div className="code-block-bar">
        <CopyButton text={code} {...(copyLabel ? { label: copyLabel } : {})} {...(testId ? { testId: `${testId}-copy` } : {})} />
      </div>
      <pre data-testid={testId}>
        <code>{code}</code>
      </pre>
    </div>
  );
}
