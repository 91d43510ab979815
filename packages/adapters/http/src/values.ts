import { ModelSealError } from '@modelseal/core';
import { ERROR_CODES } from './codes.ts';

export interface ReadValues {
  /** Shape implied by the nesting; a plain array has shape [length]. */
  readonly shape: number[];
  readonly values: number[];
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 30 ? `${value.slice(0, 30)}…` : value)}`;
  return typeof value === 'object' ? 'an object' : String(value);
}

/**
 * Flattens a (possibly nested) JSON array of numbers from a response, checking
 * that it is rectangular and numeric. `where` names the field in messages.
 */
export function readNumbers(value: unknown, where: string): ReadValues {
  if (!Array.isArray(value)) {
    throw new ModelSealError(ERROR_CODES.output, `${where} should be an array of numbers, got ${describeValue(value)}`);
  }
  const shape: number[] = [];
  for (let probe: unknown = value; Array.isArray(probe); probe = probe[0]) shape.push(probe.length);
  const values: number[] = [];
  const walk = (node: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof node === 'number') {
        values.push(node);
        return;
      }
      if (node === null) {
        // JSON has no NaN or Infinity; JavaScript's JSON.stringify writes them as null.
        throw new ModelSealError(ERROR_CODES.nonFinite, `${where}${path} is null (a NaN or Infinity written as JSON null?)`);
      }
      throw new ModelSealError(ERROR_CODES.output, `${where}${path} should be a number, got ${describeValue(node)}`);
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw new ModelSealError(
        ERROR_CODES.output,
        `${where}${path} is ragged: expected an array of ${shape[depth]}, got ${describeValue(node)}`,
      );
    }
    node.forEach((child, i) => walk(child, depth + 1, `${path}[${i}]`));
  };
  walk(value, 0, '');
  return { shape, values };
}

/** Nests row-major values into arrays of `shape` (TF Serving's row format needs the sample's real shape). */
export function nest(values: Float32Array, shape: readonly number[]): unknown {
  if (shape.length <= 1) return Array.from(values);
  const [, ...inner] = shape;
  const step = inner.reduce((a, b) => a * b, 1);
  const out: unknown[] = [];
  for (let i = 0; i < shape[0]!; i++) out.push(nest(values.subarray(i * step, (i + 1) * step), inner));
  return out;
}
