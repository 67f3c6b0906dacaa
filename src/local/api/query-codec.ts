import { NormalizedSchema } from '@smithy/core/schema';
import type { OperationSchema } from './service-schemas.ts';
import { awsMemberPath, type ValidationIssue } from './validation.ts';

type SchemaRef = Parameters<typeof NormalizedSchema.of>[0];

/**
 * The awsQuery / ec2Query codec, driven by the SDK's operation schemas (Smithy's aws-query-protocol and
 * aws-ec2-query-protocol specs): lists are `Key.member.N` (query) or `Key.N` (EC2), maps `Key.entry.N.key`,
 * nested structures `Parent.Child`; EC2 names keys by `ec2QueryName`, else the capitalized `xmlName`.
 */
const cap = (s: string): string => (s === '' ? s : `${s[0]?.toUpperCase()}${s.slice(1)}`);

/** Characters XML 1.0 cannot carry at all are dropped rather than breaking the SDK's parser. */
function stripNonXml(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0xfffe || c === 0xffff) continue;
    out += ch;
  }
  return out;
}

/** Escapes element text (the only place values appear; no attributes carry data). */
export const escapeXml = (s: string): string =>
  stripNonXml(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export const schemaOf = (ref: unknown): NormalizedSchema => NormalizedSchema.of(ref as SchemaRef);

/** Number of leading members that are required: the 7th slot of the SDK's static structure schema. */
function requiredCount(ns: NormalizedSchema): number {
  const raw: unknown = ns.getSchema();
  if (!Array.isArray(raw)) return 0;
  const n: unknown = raw[6];
  return typeof n === 'number' ? n : 0;
}

interface ReadContext {
  readonly form: ReadonlyMap<string, string>;
  readonly keys: readonly string[];
  readonly ec2: boolean;
  readonly issues: ValidationIssue[];
}

const hasPrefix = (ctx: ReadContext, prefix: string): boolean =>
  ctx.keys.some((k) => k === prefix || k.startsWith(`${prefix}.`));

function wireName(name: string, member: NormalizedSchema, ec2: boolean): string {
  const traits = member.getMergedTraits();
  if (ec2) {
    const q = traits.ec2QueryName;
    if (typeof q === 'string') return q;
    return typeof traits.xmlName === 'string' ? cap(traits.xmlName) : cap(name);
  }
  return typeof traits.xmlName === 'string' ? traits.xmlName : name;
}

function readScalar(ns: NormalizedSchema, key: string, path: string[], ctx: ReadContext): unknown {
  const raw = ctx.form.get(key);
  if (raw === undefined) return undefined;
  const bad = (expected: string): undefined => {
    ctx.issues.push({ kind: 'type', path: awsMemberPath(path), wireKey: key, expected, value: raw });
    return undefined;
  };
  if (ns.isBooleanSchema()) {
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    return bad('a boolean');
  }
  if (ns.isNumericSchema() || ns.isBigIntegerSchema() || ns.isBigDecimalSchema()) {
    const n = Number(raw);
    return raw.trim() === '' || !Number.isFinite(n) ? bad('a number') : n;
  }
  if (ns.isTimestampSchema()) {
    const d = /^\d+(\.\d+)?$/.test(raw) ? new Date(Number(raw) * 1000) : new Date(raw);
    return Number.isNaN(d.getTime()) ? bad('a timestamp') : d;
  }
  if (ns.isBlobSchema()) return Buffer.from(raw, 'base64');
  return raw;
}

function readValue(ns: NormalizedSchema, key: string, path: string[], ctx: ReadContext): unknown {
  if (ns.isStructSchema() || ns.isUnionSchema()) {
    return hasPrefix(ctx, key) ? readStruct(ns, `${key}.`, path, ctx) : undefined;
  }
  if (ns.isListSchema()) {
    // awsQuery serializes an empty list as `Key=` (serializeEmptyLists); EC2 omits it.
    if (ctx.form.get(key) === '') return [];
    if (!hasPrefix(ctx, key)) return undefined;
    const item = ns.getValueSchema();
    const itemName = item.getMergedTraits().xmlName;
    const base =
      ctx.ec2 || ns.getMergedTraits().xmlFlattened
        ? key
        : `${key}.${typeof itemName === 'string' ? itemName : 'member'}`;
    const out: unknown[] = [];
    for (let i = 1; hasPrefix(ctx, `${base}.${i}`); i++) {
      out.push(readValue(item, `${base}.${i}`, [...path, String(i)], ctx));
    }
    return out;
  }
  if (ns.isMapSchema()) {
    if (!hasPrefix(ctx, key)) return undefined;
    const base = ns.getMergedTraits().xmlFlattened ? key : `${key}.entry`;
    const out: Record<string, unknown> = {};
    for (let i = 1; ctx.form.has(`${base}.${i}.key`); i++) {
      const k = ctx.form.get(`${base}.${i}.key`) ?? '';
      out[k] = readValue(ns.getValueSchema(), `${base}.${i}.value`, [...path, k], ctx);
    }
    return out;
  }
  return readScalar(ns, key, path, ctx);
}

function readStruct(
  ns: NormalizedSchema,
  prefix: string,
  path: string[],
  ctx: ReadContext,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const required = requiredCount(ns);
  let index = 0;
  for (const [name, member] of ns.structIterator()) {
    const key = prefix + wireName(name, member, ctx.ec2);
    const value = readValue(member, key, [...path, name], ctx);
    if (value !== undefined) out[name] = value;
    else if (index < required)
      ctx.issues.push({ kind: 'required', path: awsMemberPath([...path, name]), wireKey: key });
    index++;
  }
  return out;
}

export interface ParsedInput {
  readonly input: Record<string, unknown>;
  readonly issues: readonly ValidationIssue[];
}

/** Reads a form body into the SDK's `XCommandInput` shape, collecting schema violations. */
export function parseQueryInput(op: OperationSchema, form: URLSearchParams, ec2: boolean): ParsedInput {
  const map = new Map<string, string>();
  for (const [k, v] of form) if (!map.has(k)) map.set(k, v);
  const ctx: ReadContext = { form: map, keys: [...map.keys()], ec2, issues: [] };
  const ns = schemaOf(op[4]);
  const input = ns.isStructSchema() ? readStruct(ns, '', [], ctx) : {};
  return { input, issues: ctx.issues };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function scalarText(ns: NormalizedSchema, value: unknown): string {
  if (ns.isTimestampSchema()) {
    const d = value instanceof Date ? value : new Date(typeof value === 'number' ? value : String(value));
    return Number.isNaN(d.getTime()) ? '' : d.toISOString();
  }
  if (ns.isBlobSchema() && value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return escapeXml(String(value));
}

function memberTag(name: string, member: NormalizedSchema): string {
  const xmlName = member.getMergedTraits().xmlName;
  return typeof xmlName === 'string' ? xmlName : name;
}

function writeValue(ns: NormalizedSchema, tag: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (ns.isStructSchema() || ns.isUnionSchema()) {
    if (!isRecord(value)) return '';
    return `<${tag}>${writeMembers(ns, value)}</${tag}>`;
  }
  if (ns.isListSchema()) {
    if (!Array.isArray(value)) return '';
    const item = ns.getValueSchema();
    if (ns.getMergedTraits().xmlFlattened) return value.map((x) => writeValue(item, tag, x)).join('');
    const itemName = item.getMergedTraits().xmlName;
    const itemTag = typeof itemName === 'string' ? itemName : 'member';
    return `<${tag}>${value.map((x) => writeValue(item, itemTag, x)).join('')}</${tag}>`;
  }
  if (ns.isMapSchema()) {
    if (!isRecord(value)) return '';
    const entries = Object.entries(value).map(
      ([k, x]) => `<entry><key>${escapeXml(k)}</key>${writeValue(ns.getValueSchema(), 'value', x)}</entry>`,
    );
    return `<${tag}>${entries.join('')}</${tag}>`;
  }
  return `<${tag}>${scalarText(ns, value)}</${tag}>`;
}

function writeMembers(ns: NormalizedSchema, value: Record<string, unknown>): string {
  let xml = '';
  for (const [name, member] of ns.structIterator())
    xml += writeValue(member, memberTag(name, member), value[name]);
  return xml;
}

/**
 * The success envelope. awsQuery: `<OpResponse xmlns><OpResult>…</OpResult><ResponseMetadata><RequestId>`;
 * ec2Query: members directly under `<OpResponse>` with a lowercase `<requestId>` and no Result wrapper.
 */
export function serializeQueryOutput(
  op: OperationSchema,
  output: unknown,
  options: { readonly xmlns: string; readonly requestId: string; readonly ec2: boolean },
): string {
  const name = op[2];
  const ns = schemaOf(op[5]);
  const inner = ns.isStructSchema() && isRecord(output) ? writeMembers(ns, output) : '';
  const head = `<?xml version="1.0" encoding="UTF-8"?>\n<${name}Response xmlns="${options.xmlns}">`;
  if (options.ec2) return `${head}<requestId>${options.requestId}</requestId>${inner}</${name}Response>`;
  const result = ns.isStructSchema() ? `<${name}Result>${inner}</${name}Result>` : '';
  return `${head}${result}<ResponseMetadata><RequestId>${options.requestId}</RequestId></ResponseMetadata></${name}Response>`;
}
