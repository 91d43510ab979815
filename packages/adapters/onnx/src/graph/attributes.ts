import { AttributeType, toNumber, type AttributeProto, type NodeProto, type TensorProto } from '../proto/types.ts';

export function findAttribute(node: NodeProto, name: string): AttributeProto | undefined {
  return (node.attribute ?? []).find((a) => a.name === name);
}

export function intAttribute(node: NodeProto, name: string, fallback: number): number {
  const attribute = findAttribute(node, name);
  return attribute ? toNumber(attribute.i) : fallback;
}

export function intsAttribute(node: NodeProto, name: string): number[] | undefined {
  const attribute = findAttribute(node, name);
  return attribute ? (attribute.ints ?? []).map((v) => toNumber(v)) : undefined;
}

export function floatAttribute(node: NodeProto, name: string, fallback: number): number {
  const attribute = findAttribute(node, name);
  return attribute ? (attribute.f ?? 0) : fallback;
}

export function stringAttribute(node: NodeProto, name: string, fallback: string): string {
  const attribute = findAttribute(node, name);
  return attribute?.s ? new TextDecoder().decode(attribute.s) : fallback;
}

export type AttributeValue = number | readonly number[] | string | TensorProto | { readonly float: number } | { readonly floats: readonly number[] };

/**
 * Builds an attribute; plain numbers are INT(S) because integer attributes are far
 * more common in the nodes we emit — wrap floats as `{ float }` / `{ floats }`.
 */
export function makeAttribute(name: string, value: AttributeValue): AttributeProto {
  if (typeof value === 'number') return { name, type: AttributeType.INT, i: value };
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: [...(value as number[])] };
  if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
  if ('floats' in value) return { name, type: AttributeType.FLOATS, floats: [...value.floats] };
  return { name, type: AttributeType.TENSOR, t: value as TensorProto };
}

export function makeAttributes(values: Readonly<Record<string, AttributeValue | undefined>>): AttributeProto[] {
  return Object.entries(values)
    .filter((entry): entry is [string, AttributeValue] => entry[1] !== undefined)
    .map(([name, value]) => makeAttribute(name, value));
}
