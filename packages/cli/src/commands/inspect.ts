import { readTriggerSetFile } from '@modelseal/core';
import { loadSigningKey } from '../options.ts';

export interface InspectCommandOptions {
  readonly file: string;
  readonly json: boolean;
  readonly signingKeyFile?: string;
}

/** What a trigger-set file holds, without its secret inputs. */
export async function runInspect(options: InspectCommandOptions): Promise<number> {
  const signingKey = loadSigningKey(options.signingKeyFile);
  const decoded = await readTriggerSetFile(options.file, { signingKey });
  const { triggerSet: set } = decoded;
  const counts = new Map<number, number>();
  for (const label of set.labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  const classNames = set.metadata.classNames;
  const labelHistogram = Object.fromEntries(
    [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([label, count]) => [classNames?.[label] ?? String(label), count]),
  );
  const summary = {
    file: options.file,
    samples: set.labels.length,
    inputShape: set.inputs.shape.slice(1),
    numClasses: set.probabilities.shape[1],
    signature: decoded.signature,
    contentSha256: decoded.contentSha256,
    metadata: set.metadata,
    labelHistogram,
  };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return 0;
  }
  const m = set.metadata;
  const extra = m.extra as Record<string, unknown>;
  const lines = [
    `${options.file}: ModelSeal trigger set`,
    `  samples        ${summary.samples} × [${summary.inputShape.join(', ')}] (${m.layout}, values in [${m.valueRange.join(', ')}])`,
    `  classes        ${summary.numClasses}; labels: ${Object.entries(labelHistogram).map(([k, v]) => `${k}×${v}`).join(' ')}`,
    `  signature      ${decoded.signature}`,
    `  content sha256 ${decoded.contentSha256}`,
    `  model          ${m.modelFingerprint || '(no fingerprint)'} — ${m.modelRuntime}`,
    `  fragilization  objective ${m.objective}, ε ${m.epsilon}, ${m.iterations} iterations${typeof extra.preset === 'string' ? `, preset ${extra.preset}` : ''}`,
    `  created        ${m.createdAt}`,
  ];
  for (const key of ['dataset', 'meanMargin', 'meanMaxProbability', 'meanPsnr', 'meanSsim', 'probabilityTolerance']) {
    if (extra[key] !== undefined) lines.push(`  ${key.padEnd(14)} ${JSON.stringify(extra[key])}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
