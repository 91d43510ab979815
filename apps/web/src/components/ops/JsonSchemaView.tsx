'use client';
// Renders an adapter's config JSON Schema (zod's toJSONSchema output) for people: a table of
// fields (nested objects flattened to dotted names) and the pretty-printed schema on demand.
import { Fragment } from 'react';

type Schema = Record<string, unknown>;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asSchemas(value: unknown): Schema[] {
  return Array.isArray(value) ? value.filter(isSchema) : [];
}

/** The last segment of a local $ref ("#/$defs/Header" → "Header"). */
function refName(ref: string): string {
  return ref.split('/').pop() ?? ref;
}

/** A TypeScript-like one-line type: `"auto" | "wasm"`, `[number, number]`, `integer[]`, `Record<string, string>`. */
export function describeType(schema: unknown): string {
  if (schema === true || schema === undefined) return 'any';
  if (schema === false) return 'never';
  if (!isSchema(schema)) return 'unknown';
  if (typeof schema.$ref === 'string') return refName(schema.$ref);
  if ('const' in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  const union = asSchemas(schema.anyOf ?? schema.oneOf);
  if (union.length > 0) return union.map(describeType).join(' | ');
  const all = asSchemas(schema.allOf);
  if (all.length > 0) return all.map(describeType).join(' & ');
  const type = schema.type;
  if (Array.isArray(type)) return type.map((t) => describeType({ ...schema, type: t })).join(' | ');
  switch (type) {
    case 'array': {
      const tuple = asSchemas(schema.prefixItems);
      if (tuple.length > 0) return `[${tuple.map(describeType).join(', ')}${schema.items && schema.items !== false ? ', …' : ''}]`;
      const item = describeType(schema.items);
      return item.includes(' ') ? `(${item})[]` : `${item}[]`;
    }
    case 'object': {
      if (isSchema(schema.properties)) return 'object';
      if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) {
        return `Record<string, ${describeType(schema.additionalProperties)}>`;
      }
      return 'object';
    }
    case undefined:
      return 'any';
    default:
      return String(type);
  }
}

/** Bounds and formats worth knowing when filling in a value: "≥ 1 chars", "> 0", "≤ 65536", "format: uri". */
export function describeConstraints(schema: unknown): string[] {
  if (!isSchema(schema)) return [];
  const out: string[] = [];
  const num = (key: string) => (typeof schema[key] === 'number' ? (schema[key] as number) : undefined);
  const big = (n: number) => Math.abs(n) >= Number.MAX_SAFE_INTEGER;
  const minLength = num('minLength');
  const maxLength = num('maxLength');
  if (minLength !== undefined && minLength > 0) out.push(`length ≥ ${minLength}`);
  if (maxLength !== undefined) out.push(`length ≤ ${maxLength}`);
  const min = num('minimum');
  const max = num('maximum');
  const xmin = num('exclusiveMinimum');
  const xmax = num('exclusiveMaximum');
  if (min !== undefined && !big(min)) out.push(`≥ ${min}`);
  if (xmin !== undefined && !big(xmin)) out.push(`> ${xmin}`);
  if (max !== undefined && !big(max)) out.push(`≤ ${max}`);
  if (xmax !== undefined && !big(xmax)) out.push(`< ${xmax}`);
  const minItems = num('minItems');
  const maxItems = num('maxItems');
  if (minItems !== undefined && minItems > 0 && !Array.isArray(schema.prefixItems)) out.push(`≥ ${minItems} items`);
  if (maxItems !== undefined && !Array.isArray(schema.prefixItems)) out.push(`≤ ${maxItems} items`);
  if (typeof schema.format === 'string') out.push(`format: ${schema.format}`);
  if (typeof schema.pattern === 'string') out.push(`pattern: ${schema.pattern}`);
  return out;
}

export interface SchemaField {
  readonly name: string;
  readonly type: string;
  readonly constraints: readonly string[];
  readonly required: boolean;
  readonly title: string | undefined;
  readonly description: string | undefined;
  readonly defaultValue: string | undefined;
}

/** The fields of an object schema, nested objects flattened ("auth.token"); $refs into $defs followed once. */
export function schemaFields(schema: unknown, root: unknown = schema, prefix = '', depth = 0): SchemaField[] {
  if (!isSchema(schema) || !isSchema(schema.properties)) return [];
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : []);
  const defs = isSchema(root) ? (isSchema(root.$defs) ? root.$defs : isSchema(root.definitions) ? root.definitions : {}) : {};
  const fields: SchemaField[] = [];
  for (const [key, raw] of Object.entries(schema.properties)) {
    const resolved = isSchema(raw) && typeof raw.$ref === 'string' && isSchema(defs[refName(raw.$ref)]) ? (defs[refName(raw.$ref)] as Schema) : raw;
    const prop = isSchema(resolved) ? { ...resolved, ...(isSchema(raw) && raw !== resolved ? raw : {}) } : resolved;
    const name = prefix ? `${prefix}.${key}` : key;
    const description = isSchema(raw) && typeof raw.description === 'string' ? raw.description : isSchema(prop) && typeof prop.description === 'string' ? prop.description : undefined;
    const title = isSchema(prop) && typeof prop.title === 'string' ? prop.title : undefined;
    const defaultValue = isSchema(prop) && 'default' in prop ? JSON.stringify(prop.default) : undefined;
    fields.push({ name, type: describeType(raw), constraints: describeConstraints(prop), required: required.has(key), title, description, defaultValue });
    if (isSchema(prop) && isSchema(prop.properties) && depth < 4) fields.push(...schemaFields(prop, root, name, depth + 1));
  }
  return fields;
}

export function SchemaFieldsTable({ schema }: { schema: unknown }) {
  const fields = schemaFields(schema);
  if (fields.length === 0) {
    return <p className="muted small">This adapter describes no config fields{isSchema(schema) ? ` (schema type: ${describeType(schema)})` : ''}.</p>;
  }
  return (
    <table className="compact schema-table" data-testid="adapter-config-fields">
      <thead>
        <tr>
          <th>Field</th>
          <th>Type</th>
          <th>Required</th>
          <th>Default</th>
          <th>Description</th>
        </tr>
      </thead>
      <tbody>
        {fields.map((f) => (
          <tr key={f.name} data-testid="adapter-config-field" data-field={f.name}>
            <td>
              <code>{f.name}</code>
            </td>
            <td className="schema-type">
              <code>{f.type}</code>
              {f.constraints.length > 0 ? (
                <div className="muted small">
                  {f.constraints.map((c, i) => (
                    <Fragment key={c}>
                      {i > 0 ? ', ' : ''}
                      {c}
                    </Fragment>
                  ))}
                </div>
              ) : null}
            </td>
            <td>{f.required ? <strong>required</strong> : <span className="muted">optional</span>}</td>
            <td>{f.defaultValue !== undefined ? <code>{f.defaultValue}</code> : <span className="muted">—</span>}</td>
            <td>
              {f.title ? <strong className="schema-title">{f.title}. </strong> : null}
              {f.description ?? (f.title ? null : <span className="muted">—</span>)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
