import { readTriggerSetFile, recordedTolerance, verify, type VerifyMode, type VerifyReport } from '@modelseal/core';
import { createRegistry, openModel } from '../adapters.ts';
import { loadSigningKey } from '../options.ts';
import { EXIT } from '../ui/errors.ts';
import { createProgress } from '../ui/progress.ts';

export interface VerifyCommandOptions {
  readonly model: string;
  readonly triggers: string;
  readonly mode: VerifyMode;
  readonly batchSize?: number;
  readonly tolerance?: number;
  readonly signingKeyFile?: string;
  readonly adapter?: string;
  readonly allowPrivate?: boolean;
  readonly plugin: string[];
  readonly json: boolean;
}

export async function runVerify(options: VerifyCommandOptions): Promise<number> {
  const log = (line: string): void => {
    if (!options.json) process.stderr.write(`${line}\n`);
  };
  const signingKey = loadSigningKey(options.signingKeyFile);
  const decoded = await readTriggerSetFile(options.triggers, { signingKey });
  if (decoded.signature === 'present-unchecked') {
    log('warning: the trigger set is signed but no signing key was given, so its signature was not checked');
  }
  const set = decoded.triggerSet;
  const registry = await createRegistry(options.plugin);
  const adapter = await openModel(registry, options.model, { log, allowPrivate: options.allowPrivate ?? false, ...(options.adapter ? { adapterKind: options.adapter } : {}) });
  try {
    const description = adapter.describe();
    const progress = createProgress({ json: options.json });
    progress.start(set.labels.length, 'verify');
    const tolerance = options.tolerance ?? recordedTolerance(set.metadata.extra);
    const report = await verify({
      adapter,
      inputs: set.inputs,
      labels: set.labels,
      probabilities: set.probabilities,
      mode: options.mode,
      ...(tolerance !== undefined ? { tolerance } : {}),
      ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
      onProgress: (done) => progress.update(done),
    });
    progress.stop();
    const fingerprintMatches =
      set.metadata.modelFingerprint !== '' && description.fingerprint !== undefined
        ? set.metadata.modelFingerprint === description.fingerprint
        : null;
    if (options.json) {
      process.stdout.write(`${JSON.stringify(toJson(report, decoded.signature, fingerprintMatches))}\n`);
    } else {
      printReport(report, options, decoded.signature, fingerprintMatches);
    }
    return report.intact ? EXIT.ok : EXIT.tampered;
  } finally {
    await adapter.dispose();
  }
}

function toJson(report: VerifyReport, signature: string, fingerprintMatches: boolean | null) {
  return {
    intact: report.intact,
    mode: report.mode,
    changeRate: report.changeRate,
    changed: report.changed.map((c) => c.index),
    changes: report.changed,
    labelChanges: report.labelChanges,
    total: report.total,
    queries: report.queries,
    requests: report.requests,
    durationMs: Math.round(report.durationMs * 10) / 10,
    ...(report.tolerance !== undefined ? { tolerance: report.tolerance, maxDelta: report.maxDelta } : {}),
    signature,
    fingerprintMatches,
  };
}

function printReport(
  report: VerifyReport,
  options: VerifyCommandOptions,
  signature: string,
  fingerprintMatches: boolean | null,
): void {
  const lines = [
    report.intact ? 'INTACT: every trigger sample gave its recorded answer' : 'TAMPERED: the model does not answer as it did at enrolment',
    `  model        ${options.model}`,
    `  trigger set  ${options.triggers} (signature: ${signature})`,
    `  mode         ${report.mode}${report.tolerance !== undefined ? ` (tolerance ${report.tolerance.toExponential(1)}, largest change ${report.maxDelta?.toExponential(2)})` : ''}`,
    `  ChangeRate   ${(report.changeRate * 100).toFixed(1)} % (${report.labelChanges} of ${report.total} labels changed)`,
    `  queries      ${report.queries} in ${report.requests} request(s), ${report.durationMs.toFixed(0)} ms`,
  ];
  if (fingerprintMatches !== null) lines.push(`  model file   ${fingerprintMatches ? 'same bytes as at enrolment' : 'differs from the enrolled file'}`);
  if (report.changed.length > 0) {
    const shown = report.changed.slice(0, 10).map((c) => `#${c.index} ${c.expectedLabel}→${c.observedLabel}`);
    lines.push(`  changed      ${shown.join(', ')}${report.changed.length > 10 ? `, … (${report.changed.length} in all)` : ''}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
