import { HttpError } from './http-error.ts';

export interface NestedArray {
  /** Shape implied by the nesting; a plain array of numbers has shape [length]. */
  readonly shape: number[];
  readonly values: Float32Array;
}

/**
 * Flattens a (possibly nested) JSON array of numbers in row-major order and
 * checks that it is rectangular, so that its shape can be compared with the
 * shape the client declared or the model expects.
 */
export function readNested(value: unknown, where: string): NestedArray {
  const shape: number[] = [];
  let probe: unknown = value;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  if (shape.length === 0) throw new HttpError(400, `${where} must be an array of numbers`);
  const values: number[] = [];
  const walk = (node: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof node !== 'number') {
        throw new HttpError(400, `${where}${path} must be a number, got ${describeJson(node)}`);
      }
      values.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw new HttpError(
        400,
        `${where}${path} is not rectangular: expected an array of ${shape[depth]} items, got ${describeJson(node)}`,
      );
    }
    node.forEach((child, i) => walk(child, depth + 1, `${path}[${i}]`));
  };
  walk(value, 0, '');
  const floats = Float32Array.from(values);
  const overflow = floats.findIndex((v) => !Number.isFinite(v));
  if (overflow >= 0) {
    throw new HttpError(400, `${where} holds ${values[overflow]} (value ${overflow}), which is outside the float32 range`);
  }
  return { shape, values: floats };
}

export function describeJson(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  if (value === null) return 'null';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return typeof value === 'object' ? 'an object' : String(value);
}
