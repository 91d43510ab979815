'use client';
// A form generated from a JSON Schema object (what adapters.list gives for every adapter's
// config), so an adapter from a plug-in gets a form for free. Strings (with enums as selects),
// numbers and integers with their bounds, booleans, lists of strings or numbers (entered comma
// separated; fixed-length tuples too), nested objects as fieldsets; any other shape (maps,
// unions, arrays of objects) falls back to a JSON textarea. Defaults are prefilled; empty
// optional fields are left out of the value, so the adapter's own defaults apply.
import { useEffect, useRef, useState, type ReactNode } from 'react';

export interface JSONSchema {
  type?: string | readonly string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: readonly unknown[];
  const?: unknown;
  properties?: Record<string, JSONSchema>;
  required?: readonly string[];
  additionalProperties?: boolean | JSONSchema;
  items?: boolean | JSONSchema;
  prefixItems?: readonly JSONSchema[];
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  anyOf?: readonly JSONSchema[];
  oneOf?: readonly JSONSchema[];
}

export interface SchemaFormResult {
  /** The value the schema describes: filled fields and defaults, empty optional fields left out. */
  readonly value: Record<string, unknown>;
  /** One line per field that is missing or does not parse; empty when the value can be sent. */
  readonly errors: readonly string[];
}

type Scalar = 'string' | 'number' | 'integer';

type Field =
  | { kind: 'enum'; options: readonly unknown[] }
  | { kind: 'string' }
  | { kind: 'number'; integer: boolean }
  | { kind: 'boolean' }
  | { kind: 'list'; item: Scalar; length: number | undefined }
  | { kind: 'object'; schema: JSONSchema }
  | { kind: 'json' };

type Raw = Record<string, string | boolean>;

const BIG = Number.MAX_SAFE_INTEGER;

function isSchema(value: unknown): value is JSONSchema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Unwraps `anyOf: [X, {type: "null"}]` and `type: ["string", "null"]` to X. */
function normalize(schema: JSONSchema): JSONSchema {
  const union = schema.anyOf ?? schema.oneOf;
  if (union) {
    const options = union.filter((s) => !(isSchema(s) && s.type === 'null'));
    const only = options[0];
    if (options.length === 1 && only) {
      const { anyOf: _a, oneOf: _o, ...rest } = schema;
      return normalize({ ...rest, ...only });
    }
  }
  if (Array.isArray(schema.type)) {
    const types = (schema.type as readonly string[]).filter((t) => t !== 'null');
    if (types.length === 1) return { ...schema, type: types[0] };
  }
  return schema;
}

function typeOf(schema: JSONSchema): string | undefined {
  return typeof schema.type === 'string' ? schema.type : undefined;
}

function scalarOf(schema: unknown): Scalar | undefined {
  if (!isSchema(schema)) return undefined;
  const s = normalize(schema);
  const type = typeOf(s);
  if ((type === 'string' || type === 'number' || type === 'integer') && !s.enum) return type;
  return undefined;
}

function classify(raw: JSONSchema): Field {
  const schema = normalize(raw);
  if (schema.anyOf || schema.oneOf) return { kind: 'json' };
  if (Array.isArray(schema.enum) && schema.enum.length > 0 && schema.enum.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v))) {
    return { kind: 'enum', options: schema.enum };
  }
  if (schema.const !== undefined) return { kind: 'enum', options: [schema.const] };
  const type = typeOf(schema) ?? (schema.properties ? 'object' : undefined);
  switch (type) {
    case 'string':
      return { kind: 'string' };
    case 'number':
    case 'integer':
      return { kind: 'number', integer: type === 'integer' };
    case 'boolean':
      return { kind: 'boolean' };
    case 'array': {
      if (schema.prefixItems) {
        const items = schema.prefixItems.map(scalarOf);
        const first = items[0];
        const same = first && items.every((t) => t === first) && schema.items === false;
        return same ? { kind: 'list', item: first, length: items.length } : { kind: 'json' };
      }
      const item = scalarOf(schema.items);
      return item ? { kind: 'list', item, length: undefined } : { kind: 'json' };
    }
    case 'object':
      // A fixed set of named fields is a fieldset; a map of arbitrary keys is JSON.
      return schema.properties && Object.keys(schema.properties).length > 0 && !isSchema(schema.additionalProperties)
        ? { kind: 'object', schema }
        : { kind: 'json' };
    default:
      return { kind: 'json' };
  }
}

function initialRaw(schema: JSONSchema, prefix: string, omit: readonly string[], out: Raw): Raw {
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    if (!prefix && omit.includes(key)) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    const field = classify(child);
    const value = normalize(child).default;
    switch (field.kind) {
      case 'object':
        initialRaw(field.schema, path, omit, out);
        break;
      case 'enum':
        out[path] = value === undefined ? '' : JSON.stringify(value);
        break;
      case 'boolean':
        out[path] = value === true;
        break;
      case 'list':
        out[path] = Array.isArray(value) ? value.join(', ') : '';
        break;
      case 'json':
        out[path] = value === undefined ? '' : JSON.stringify(value, null, 2);
        break;
      default:
        out[path] = value === undefined || value === null ? '' : String(value);
    }
  }
  return out;
}

/** The range a number may take, as text for the hint: "≥ 1", "0 – 10". */
function bounds(schema: JSONSchema): { min?: number; max?: number; exclusiveMin?: number; exclusiveMax?: number } {
  const b: { min?: number; max?: number; exclusiveMin?: number; exclusiveMax?: number } = {};
  if (typeof schema.minimum === 'number' && Math.abs(schema.minimum) < BIG) b.min = schema.minimum;
  if (typeof schema.maximum === 'number' && Math.abs(schema.maximum) < BIG) b.max = schema.maximum;
  if (typeof schema.exclusiveMinimum === 'number' && Math.abs(schema.exclusiveMinimum) < BIG) b.exclusiveMin = schema.exclusiveMinimum;
  if (typeof schema.exclusiveMaximum === 'number' && Math.abs(schema.exclusiveMaximum) < BIG) b.exclusiveMax = schema.exclusiveMaximum;
  return b;
}

function rangeText(schema: JSONSchema, integer: boolean): string {
  const b = bounds(schema);
  let lo = b.min !== undefined ? `${b.min}` : undefined;
  if (b.exclusiveMin !== undefined) lo = integer ? `${Math.floor(b.exclusiveMin) + 1}` : `> ${b.exclusiveMin}`;
  let hi = b.max !== undefined ? `${b.max}` : undefined;
  if (b.exclusiveMax !== undefined) hi = integer ? `${Math.ceil(b.exclusiveMax) - 1}` : `< ${b.exclusiveMax}`;
  if (lo !== undefined && hi !== undefined) return lo.startsWith('>') || hi.startsWith('<') ? `${lo}, ${hi}` : `${lo} – ${hi}`;
  if (lo !== undefined) return lo.startsWith('>') ? lo : `≥ ${lo}`;
  if (hi !== undefined) return hi.startsWith('<') ? hi : `≤ ${hi}`;
  return '';
}

function checkNumber(n: number, schema: JSONSchema, integer: boolean): string | undefined {
  if (!Number.isFinite(n)) return 'must be a number';
  if (integer && !Number.isInteger(n)) return 'must be a whole number';
  const b = bounds(schema);
  if (b.min !== undefined && n < b.min) return `must be at least ${b.min}`;
  if (b.max !== undefined && n > b.max) return `must be at most ${b.max}`;
  if (b.exclusiveMin !== undefined && n <= b.exclusiveMin) return `must be greater than ${b.exclusiveMin}`;
  if (b.exclusiveMax !== undefined && n >= b.exclusiveMax) return `must be less than ${b.exclusiveMax}`;
  return undefined;
}

/** Parses one field's text; `undefined` value means "leave it out". */
function parseField(field: Field, schema: JSONSchema, raw: string | boolean | undefined): { value?: unknown; error?: string } {
  if (field.kind === 'boolean') return { value: raw === true };
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (!text) return {};
  switch (field.kind) {
    case 'enum':
      return { value: JSON.parse(text) as unknown };
    case 'string': {
      if (schema.minLength !== undefined && text.length < schema.minLength) return { error: `needs at least ${schema.minLength} characters` };
      if (schema.maxLength !== undefined && text.length > schema.maxLength) return { error: `allows at most ${schema.maxLength} characters` };
      if (schema.pattern) {
        try {
          if (!new RegExp(schema.pattern, 'u').test(text)) return { error: `must match ${schema.pattern}` };
        } catch {
          // A pattern the browser cannot compile is the server's to check.
        }
      }
      return { value: text };
    }
    case 'number': {
      const n = Number(text);
      const error = checkNumber(n, schema, field.integer);
      return error ? { error } : { value: n };
    }
    case 'list': {
      const parts = text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (field.length !== undefined && parts.length !== field.length) return { error: `needs exactly ${field.length} values, comma separated` };
      if (schema.minItems !== undefined && parts.length < schema.minItems) return { error: `needs at least ${schema.minItems} values` };
      if (schema.maxItems !== undefined && parts.length > schema.maxItems) return { error: `allows at most ${schema.maxItems} values` };
      if (field.item === 'string') return { value: parts };
      const items = field.length !== undefined ? (schema.prefixItems ?? []) : [];
      const values: number[] = [];
      for (const [i, part] of parts.entries()) {
        const n = Number(part);
        const itemSchema = normalize((items[i] ?? (isSchema(schema.items) ? schema.items : {})) as JSONSchema);
        const error = checkNumber(n, itemSchema, typeOf(itemSchema) === 'integer' || field.item === 'integer');
        if (error) return { error: `"${part}" ${error}` };
        values.push(n);
      }
      return { value: values };
    }
    case 'json':
      try {
        return { value: JSON.parse(text) as unknown };
      } catch (error) {
        return { error: `is not valid JSON (${(error as Error).message})` };
      }
    default:
      return {};
  }
}

function collect(schema: JSONSchema, raw: Raw, prefix: string, omit: readonly string[], errors: string[], fieldErrors: Record<string, string>): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  const required = new Set(schema.required ?? []);
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    if (!prefix && omit.includes(key)) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    const field = classify(child);
    if (field.kind === 'object') {
      const nested = collect(field.schema, raw, path, omit, errors, fieldErrors);
      if (required.has(key) || Object.keys(nested).length > 0) value[key] = nested;
      continue;
    }
    const parsed = parseField(field, normalize(child), raw[path]);
    if (parsed.error) {
      fieldErrors[path] = parsed.error;
      errors.push(`${path} ${parsed.error}`);
    } else if (parsed.value !== undefined) {
      value[key] = parsed.value;
    } else if (required.has(key)) {
      errors.push(`${path} is required`);
    }
  }
  return value;
}

/** Computes a form's value from its schema and the texts entered (exported for tests and callers). */
export function schemaFormValue(schema: JSONSchema, raw: Raw, omit: readonly string[] = []): SchemaFormResult & { fieldErrors: Record<string, string> } {
  const errors: string[] = [];
  const fieldErrors: Record<string, string> = {};
  const value = collect(schema, raw, '', omit, errors, fieldErrors);
  return { value, errors, fieldErrors };
}

function optionLabel(option: unknown): string {
  return option === null ? 'null' : String(option);
}

function inputId(idPrefix: string, path: string): string {
  return `${idPrefix}-${path.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

export interface SchemaFormProps {
  /** The object schema; null (an adapter without one) gives a single JSON textarea. */
  readonly schema: JSONSchema | null;
  /** Called with the value and its errors on mount and after every edit. */
  readonly onChange: (result: SchemaFormResult) => void;
  /** Top-level fields to leave out (e.g. the path an upload fills in). */
  readonly omit?: readonly string[];
  /** Prefix of the inputs' ids, for several forms on one page. */
  readonly idPrefix?: string;
  readonly disabled?: boolean;
}

const WHOLE = '__json';
const NO_OMIT: readonly string[] = [];

/** Remount it (`key`) to start over with another schema. */
export function SchemaForm({ schema, onChange, omit = NO_OMIT, idPrefix = 'cfg', disabled = false }: SchemaFormProps) {
  const objectSchema = schema && classify(schema).kind === 'object' ? normalize(schema) : null;
  const [raw, setRaw] = useState<Raw>(() => (objectSchema ? initialRaw(objectSchema, '', omit, {}) : { [WHOLE]: '{}' }));
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  const result = objectSchema
    ? schemaFormValue(objectSchema, raw, omit)
    : (() => {
        const parsed = parseField({ kind: 'json' }, {}, raw[WHOLE]);
        const fieldErrors: Record<string, string> = {};
        if (parsed.error) fieldErrors[WHOLE] = parsed.error;
        const ok = isSchema(parsed.value) || parsed.value === undefined;
        if (!ok) fieldErrors[WHOLE] = 'must be a JSON object';
        return {
          value: (ok ? (parsed.value ?? {}) : {}) as Record<string, unknown>,
          errors: Object.values(fieldErrors).map((e) => `config ${e}`),
          fieldErrors,
        };
      })();
  const { value, errors, fieldErrors } = result;
  const serialized = JSON.stringify({ value, errors });
  useEffect(() => {
    onChangeRef.current({ value, errors });
    // `serialized` stands for value and errors: the parent hears only about changes.
  }, [serialized]);

  const set = (path: string, next: string | boolean) => setRaw((prev) => ({ ...prev, [path]: next }));

  if (!objectSchema) {
    const id = inputId(idPrefix, WHOLE);
    return (
      <div className="schema-form" data-testid="schema-form">
        <div className="field">
          <label htmlFor={id}>Configuration (JSON)</label>
          <textarea id={id} name="config" className="code" rows={6} value={String(raw[WHOLE] ?? '')} onChange={(e) => set(WHOLE, e.target.value)} disabled={disabled} />
          <span className="field-hint">This adapter publishes no config schema; enter its configuration as a JSON object.</span>
          {fieldErrors[WHOLE] ? <span className="field-error">{fieldErrors[WHOLE]}</span> : null}
        </div>
      </div>
    );
  }

  const renderObject = (object: JSONSchema, prefix: string): ReactNode[] => {
    const required = new Set(object.required ?? []);
    return Object.entries(object.properties ?? {})
      .filter(([key]) => prefix || !omit.includes(key))
      .map(([key, rawChild]) => {
        const child = normalize(rawChild);
        const path = prefix ? `${prefix}.${key}` : key;
        const field = classify(rawChild);
        const id = inputId(idPrefix, path);
        const isRequired = required.has(key);
        const title = child.title ?? key;
        const hint = child.description;
        const error = fieldErrors[path];
        if (field.kind === 'object') {
          return (
            <fieldset key={path} className="schema-fieldset">
              <legend>
                {title}
                {isRequired ? <RequiredMark /> : null}
              </legend>
              {hint ? <p className="field-hint">{hint}</p> : null}
              {renderObject(field.schema, path)}
            </fieldset>
          );
        }
        if (field.kind === 'boolean') {
          return (
            <div key={path} className="field">
              <label className="inline" htmlFor={id}>
                <input id={id} name={path} type="checkbox" checked={raw[path] === true} onChange={(e) => set(path, e.target.checked)} disabled={disabled} />
                {title}
              </label>
              {hint ? <span className="field-hint">{hint}</span> : null}
            </div>
          );
        }
        const text = typeof raw[path] === 'string' ? (raw[path] as string) : '';
        let control: ReactNode;
        let extraHint = '';
        switch (field.kind) {
          case 'enum':
            control = (
              <select id={id} name={path} value={text} required={isRequired} onChange={(e) => set(path, e.target.value)} disabled={disabled}>
                {!isRequired || child.default === undefined ? <option value="">{isRequired ? 'Choose…' : '(not set)'}</option> : null}
                {field.options.map((option) => (
                  <option key={JSON.stringify(option)} value={JSON.stringify(option)}>
                    {optionLabel(option)}
                  </option>
                ))}
              </select>
            );
            break;
          case 'string':
            control = (
              <input
                id={id}
                name={path}
                type={child.format === 'uri' || child.format === 'url' ? 'url' : child.format === 'email' ? 'email' : 'text'}
                value={text}
                required={isRequired}
                maxLength={child.maxLength}
                onChange={(e) => set(path, e.target.value)}
                disabled={disabled}
                aria-invalid={error ? true : undefined}
              />
            );
            break;
          case 'number': {
            const b = bounds(child);
            const min = b.min ?? (b.exclusiveMin !== undefined ? (field.integer ? Math.floor(b.exclusiveMin) + 1 : b.exclusiveMin) : undefined);
            const max = b.max ?? (b.exclusiveMax !== undefined ? (field.integer ? Math.ceil(b.exclusiveMax) - 1 : b.exclusiveMax) : undefined);
            extraHint = rangeText(child, field.integer);
            control = (
              <input
                id={id}
                name={path}
                type="number"
                inputMode={field.integer ? 'numeric' : 'decimal'}
                step={field.integer ? 1 : 'any'}
                min={min}
                max={max}
                value={text}
                required={isRequired}
                onChange={(e) => set(path, e.target.value)}
                disabled={disabled}
                aria-invalid={error ? true : undefined}
              />
            );
            break;
          }
          case 'list':
            extraHint =
              field.length !== undefined
                ? `${field.length} ${field.item === 'string' ? 'values' : 'numbers'}, comma separated`
                : `${field.item === 'string' ? 'values' : 'numbers'}, comma separated`;
            control = (
              <input
                id={id}
                name={path}
                type="text"
                value={text}
                required={isRequired}
                placeholder={field.item === 'string' ? 'a, b, c' : field.length === 2 ? '0, 1' : '1, 2, 3'}
                onChange={(e) => set(path, e.target.value)}
                disabled={disabled}
                aria-invalid={error ? true : undefined}
              />
            );
            break;
          default:
            extraHint = 'JSON';
            control = (
              <textarea
                id={id}
                name={path}
                className="code"
                rows={3}
                value={text}
                required={isRequired}
                placeholder={typeOf(child) === 'object' ? '{ }' : ''}
                onChange={(e) => set(path, e.target.value)}
                disabled={disabled}
                aria-invalid={error ? true : undefined}
              />
            );
        }
        return (
          <div key={path} className="field">
            <label htmlFor={id}>
              <span>
                {title}
                {isRequired ? <RequiredMark /> : null}
                {extraHint ? <span className="muted small"> ({extraHint})</span> : null}
              </span>
            </label>
            {control}
            {hint ? <span className="field-hint">{hint}</span> : null}
            {error ? <span className="field-error">{title} {error}</span> : null}
          </div>
        );
      });
  };

  return (
    <div className="schema-form" data-testid="schema-form">
      {renderObject(objectSchema, '')}
    </div>
  );
}

function RequiredMark() {
  return (
    <span className="required" title="required" aria-label="required">
      {' *'}
    </span>
  );
}
