import { ModelSealError, formatShape, type Layout, type ModelDescription, type OutputKind } from '@modelseal/core';
import type { TfjsConfig } from './config.ts';
import type { ModelSidecar } from './io/sidecar.ts';

function showDeclared(shape: ReadonlyArray<number | undefined>): string {
  return `[${shape.map((dim) => dim ?? '?').join(', ')}]`;
}

function fits(shape: readonly number[], declared: ReadonlyArray<number | undefined>): boolean {
  return shape.length === declared.length && declared.every((dim, i) => dim === undefined || dim === shape[i]);
}

/**
 * Per-sample input shape: the model's own when it is fully known, otherwise the
 * config's, otherwise the sidecar's; a given shape must agree with what the model declares.
 */
export function resolveInputShape(
  declared: ReadonlyArray<number | undefined> | undefined,
  config: Pick<TfjsConfig, 'inputShape'>,
  sidecar: Pick<ModelSidecar, 'inputShape'> | undefined,
  where: string,
): number[] {
  const candidates: Array<[readonly number[] | undefined, string]> = [
    [config.inputShape, 'the config'],
    [sidecar?.inputShape, 'modelseal-model.json'],
  ];
  for (const [shape, source] of candidates) {
    if (!shape) continue;
    if (declared && !fits(shape, declared)) {
      throw new ModelSealError(
        'INVALID_CONFIG',
        `inputShape ${formatShape(shape)} from ${source} does not match the input ${showDeclared(declared)} that ${where} declares (batch dimension excluded)`,
      );
    }
    return [...shape];
  }
  if (declared && declared.every((dim) => dim !== undefined)) return declared as number[];
  const known = declared ? `its input shape is only partly known (${showDeclared(declared)})` : 'it does not declare its input shape';
  throw new ModelSealError('INVALID_CONFIG', `${where}: ${known}; set inputShape in the adapter config, e.g. [28, 28, 1]`);
}

export interface DescriptionParts {
  readonly config: TfjsConfig;
  readonly sidecar: ModelSidecar | undefined;
  readonly inputShape: readonly number[];
  readonly numClasses: number;
  readonly endsInSoftmax: boolean;
  readonly runtime: string;
  readonly fingerprint: string;
  readonly where: string;
}

function resolveLayout(config: TfjsConfig, sidecar: ModelSidecar | undefined, inputShape: readonly number[], where: string): Layout {
  const chosen = config.layout !== 'auto' ? config.layout : (sidecar?.layout ?? (inputShape.length === 3 ? 'NHWC' : 'flat'));
  if (chosen !== 'flat' && inputShape.length !== 3) {
    throw new ModelSealError('INVALID_CONFIG', `${where}: layout ${chosen} needs a 3-D sample shape, but the input is ${formatShape(inputShape)}`);
  }
  return chosen;
}

/** Config first, then the sidecar, then what can be read off the model itself. */
export function resolveDescription(parts: DescriptionParts): ModelDescription {
  const { config, sidecar, numClasses, where } = parts;
  if (numClasses < 2) {
    throw new ModelSealError('MODEL_LOAD', `${where} outputs ${numClasses} value per sample; ModelSeal needs a classifier with at least 2 classes`);
  }
  const valueRange = config.valueRange ?? sidecar?.valueRange ?? [0, 1];
  if (!(valueRange[0] < valueRange[1])) {
    throw new ModelSealError('INVALID_CONFIG', `${where}: valueRange [${valueRange.join(', ')}] must have its lower bound below its upper bound`);
  }
  const outputKind: OutputKind =
    config.outputKind !== 'auto' ? config.outputKind : (sidecar?.outputKind ?? (parts.endsInSoftmax ? 'probabilities' : 'logits'));
  const classNames = config.classNames ?? sidecar?.classNames;
  if (classNames && classNames.length !== numClasses) {
    const source = config.classNames ? 'the config' : 'modelseal-model.json';
    throw new ModelSealError(
      'INVALID_CONFIG',
      `${source} names ${classNames.length} classes, but ${where} outputs ${numClasses}`,
    );
  }
  return {
    inputShape: [...parts.inputShape],
    layout: resolveLayout(config, sidecar, parts.inputShape, where),
    valueRange: [valueRange[0], valueRange[1]],
    numClasses,
    outputKind,
    ...(classNames ? { classNames: [...classNames] } : {}),
    runtime: parts.runtime,
    maxBatchSize: config.maxBatchSize,
    fingerprint: parts.fingerprint,
  };
}
