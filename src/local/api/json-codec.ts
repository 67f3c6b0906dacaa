import type { NormalizedSchema } from '@smithy/core/schema';
import { schemaOf } from './query-codec.ts';
import type { OperationSchema } from './service-schemas.ts';
import { awsMemberPath, type ValidationIssue } from './validation.ts';

/**
 * awsJson1_0 / awsJson1_1 (Smithy aws-json spec): the body is the input structure as JSON, timestamps are
 * epoch seconds, blobs base64. Reading converts those into the SDK's input shape (Date, Uint8Array) and checks
 * required members and basic types from the schema.
 */
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function requiredCount(ns: NormalizedSchema): number {
  const raw: unknown = ns.getSchema();
  return Array.isArray(raw) && typeof raw[6] === 'number' ? raw[6] : 0;
}

function readValue(ns: NormalizedSchema, value: unknown, path: string[], issues: ValidationIssue[]): unknown {
  const bad = (expected: string): undefined => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    issues.push({ kind: 'type', path: awsMemberPath(path), wireKey: path.join('.'), expected, value: text });
    return undefined;
  };
  if (value === null || value === undefined) return undefined;
  if (ns.isStructSchema() || ns.isUnionSchema()) {
    if (!isRecord(value)) return bad('a structure');
    return readStruct(ns, value, path, issues);
  }
  if (ns.isListSchema()) {
    if (!Array.isArray(value)) return bad('a list');
    return value.map((item, i) => readValue(ns.getValueSchema(), item, [...path, String(i + 1)], issues));
  }
  if (ns.isMapSchema()) {
    if (!isRecord(value)) return bad('a map');
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = readValue(ns.getValueSchema(), v, [...path, k], issues);
    return out;
  }
  if (ns.isBooleanSchema()) return typeof value === 'boolean' ? value : bad('a boolean');
  if (ns.isNumericSchema())
    return typeof value === 'number' && Number.isFinite(value) ? value : bad('a number');
  if (ns.isTimestampSchema()) {
    if (typeof value === 'number') return new Date(value * 1000);
    if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value);
    return bad('a timestamp');
  }
  if (ns.isBlobSchema()) return typeof value === 'string' ? Buffer.from(value, 'base64') : bad('a blob');
  if (ns.isDocumentSchema()) return value;
  return typeof value === 'string' ? value : bad('a string');
}

function readStruct(
  ns: NormalizedSchema,
  value: Record<string, unknown>,
  path: string[],
  issues: ValidationIssue[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const required = requiredCount(ns);
  let index = 0;
  for (const [name, member] of ns.structIterator()) {
    const v = readValue(member, value[name], [...path, name], issues);
    if (v !== undefined) out[name] = v;
    else if (index < required && (value[name] === undefined || value[name] === null)) {
      issues.push({ kind: 'required', path: awsMemberPath([...path, name]), wireKey: name });
    }
    index++;
  }
  return out;
}

export type JsonParse =
  | {
      readonly ok: true;
      readonly input: Record<string, unknown>;
      readonly issues: readonly ValidationIssue[];
    }
  | { readonly ok: false; readonly message: string };

/** Parses a JSON protocol body. An empty body is `{}` (the spec requires clients to send `{}`). */
export function parseJsonInput(op: OperationSchema, body: string): JsonParse {
  let parsed: unknown;
  try {
    parsed = body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    return { ok: false, message: 'Start of structure or map found where not expected.' };
  }
  if (!isRecord(parsed)) return { ok: false, message: 'Start of structure or map found where not expected.' };
  const ns = schemaOf(op[4]);
  const issues: ValidationIssue[] = [];
  const input = ns.isStructSchema() ? readStruct(ns, parsed, [], issues) : {};
  return { ok: true, input, issues };
}

function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(toWire);
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWire(v);
    return out;
  }
  return value;
}

/** The output as JSON: Dates become epoch seconds (what the SDK's JSON deserializer expects), blobs base64. */
export const serializeJsonOutput = (output: unknown): string => JSON.stringify(toWire(output ?? {}));
