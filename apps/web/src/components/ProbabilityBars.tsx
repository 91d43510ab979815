'use client';
// A trigger sample's probability vector as horizontal bars, one per class. The two most
// probable classes are highlighted: a fragile sample sits between them, and the gap (the
// margin) is what a tampered weight has to overcome to flip the label.

function formatProbability(p: number): string {
  if (p === 0) return '0';
  if (p < 1e-4) return p.toExponential(2);
  return p.toFixed(6);
}

export function ProbabilityBars({ probabilities, classNames, margin }: { probabilities: readonly number[]; classNames?: readonly string[]; margin?: number | null }) {
  const order = probabilities.map((p, i) => ({ p, i })).sort((a, b) => b.p - a.p);
  const first = order[0]?.i;
  const second = order[1]?.i;
  const gap = margin ?? (order[0] && order[1] ? order[0].p - order[1].p : null);
  return (
    <div className="prob-bars" data-testid="probability-bars">
      {gap !== null ? (
        <p className="small">
          Margin (top-1 − top-2): <strong data-testid="probability-margin">{gap.toExponential(2)}</strong>
        </p>
      ) : null}
      <ul>
        {probabilities.map((p, i) => {
          const rank = i === first ? 1 : i === second ? 2 : 0;
          const name = classNames?.[i];
          return (
            <li key={i} className={`prob-row${rank ? ` prob-top${rank}` : ''}`} data-testid="probability-bar" data-rank={rank || undefined}>
              <span className="prob-label" title={name ?? String(i)}>
                {i}
                {name && name !== String(i) ? <span className="muted"> {name}</span> : null}
              </span>
              <span className="prob-track">
                <span className="prob-fill" style={{ width: `${Math.max(0, Math.min(1, p)) * 100}%` }} />
              </span>
              <span className="prob-value">{formatProbability(p)}</span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
