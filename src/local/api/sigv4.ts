import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256, sha256Hex } from './sha256.ts';

/** The parts of `Authorization: AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, ...`. */
export interface SigV4Authorization {
  readonly accessKeyId: string;
  /** yyyymmdd from the credential scope. */
  readonly scopeDate: string;
  readonly region: string;
  /** The signing name: routes the request to a service. */
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

export type ParsedAuthorization =
  | { readonly kind: 'missing' }
  | { readonly kind: 'malformed'; readonly message: string }
  | { readonly kind: 'ok'; readonly auth: SigV4Authorization };

const ALGORITHM = 'AWS4-HMAC-SHA256';

/**
 * Parses the SigV4 Authorization header. Absent → `missing` (AWS: MissingAuthenticationToken); present but
 * not a well-formed AWS4-HMAC-SHA256 header → `malformed` (AWS: IncompleteSignature, whose message lists the
 * parameters the header requires).
 */
export function parseAuthorization(header: string | undefined): ParsedAuthorization {
  if (header === undefined || header.trim() === '') return { kind: 'missing' };
  const trimmed = header.trim();
  if (!trimmed.startsWith(`${ALGORITHM} `)) {
    return { kind: 'malformed', message: `Authorization header requires the ${ALGORITHM} algorithm.` };
  }
  const params = new Map<string, string>();
  for (const part of trimmed.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((p) => !params.get(p));
  if (missing.length > 0) {
    const needs = missing.map((p) => `Authorization header requires '${p}' parameter.`).join(' ');
    return { kind: 'malformed', message: `${needs} Authorization=${trimmed.slice(0, 200)}` };
  }
  const credential = (params.get('Credential') ?? '').split('/');
  const [accessKeyId, scopeDate, region, service, terminator] = credential;
  if (
    credential.length !== 5 ||
    !accessKeyId ||
    !scopeDate ||
    !/^\d{8}$/.test(scopeDate) ||
    !region ||
    !service ||
    terminator !== 'aws4_request'
  ) {
    return {
      kind: 'malformed',
      message: `Credential should be scoped to a valid region, like 'us-east-1'. Credential=${params.get('Credential')}`,
    };
  }
  const signature = params.get('Signature') ?? '';
  if (!/^[0-9a-f]{64}$/.test(signature)) {
    return { kind: 'malformed', message: 'Signature must be 64 lowercase hex characters.' };
  }
  const signedHeaders = (params.get('SignedHeaders') ?? '').split(';').filter((h) => h !== '');
  if (!signedHeaders.includes('host')) {
    return { kind: 'malformed', message: "'Host' must be a signed header." };
  }
  return { kind: 'ok', auth: { accessKeyId, scopeDate, region, service, signedHeaders, signature } };
}

export interface SignedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export type SignatureCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'incomplete' | 'expired' | 'mismatch'; readonly message: string };

/** AWS rejects requests whose X-Amz-Date is more than 15 minutes away from its clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

export const SIGNATURE_MISMATCH_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

const amzDate = (ms: number): string =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isNaN(ms) ? undefined : ms;
}

const headerValue = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
};

/**
 * Verifies a SigV4 signature by re-signing the request with the caller's secret and comparing signatures in
 * constant time. The body hash is computed here and substituted for `x-amz-content-sha256`, because the
 * signer trusts that header as is (docs/local-cloud.md#sigv4): a tampered body with the original hash header
 * then fails. The clock-skew rule and its message follow AWS ("Signature expired: … is now earlier than …").
 */
export async function verifySignature(
  request: SignedRequest,
  auth: SigV4Authorization,
  secretAccessKey: string,
  now: number,
): Promise<SignatureCheck> {
  const dateHeader = headerValue(request.headers, 'x-amz-date');
  if (dateHeader === undefined) {
    return {
      ok: false,
      reason: 'incomplete',
      message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    };
  }
  const signedAt = parseAmzDate(dateHeader);
  if (signedAt === undefined) {
    return {
      ok: false,
      reason: 'incomplete',
      message: `X-Amz-Date must be in ISO 8601 basic format, got '${dateHeader}'.`,
    };
  }
  if (signedAt < now - MAX_CLOCK_SKEW_MS) {
    return {
      ok: false,
      reason: 'expired',
      message: `Signature expired: ${dateHeader} is now earlier than ${amzDate(now - MAX_CLOCK_SKEW_MS)} (${amzDate(now)} - 15 min.)`,
    };
  }
  if (signedAt > now + MAX_CLOCK_SKEW_MS) {
    return {
      ok: false,
      reason: 'expired',
      message: `Signature not yet current: ${dateHeader} is still later than ${amzDate(now + MAX_CLOCK_SKEW_MS)} (${amzDate(now)} + 15 min.)`,
    };
  }
  if (dateHeader.slice(0, 8) !== auth.scopeDate) {
    return {
      ok: false,
      reason: 'mismatch',
      message: `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.scopeDate}' != '${dateHeader.slice(0, 8)}', from '${dateHeader}'.`,
    };
  }
  const bodyHash = sha256Hex(request.body);
  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = headerValue(request.headers, name);
    if (value === undefined) return { ok: false, reason: 'mismatch', message: SIGNATURE_MISMATCH_MESSAGE };
    headers[name] = name === 'x-amz-content-sha256' ? bodyHash : value;
  }
  const url = new URL(request.url, 'http://localhost');
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of url.searchParams) {
    const prior = query[key];
    query[key] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  const token = auth.signedHeaders.includes('x-amz-security-token')
    ? headerValue(request.headers, 'x-amz-security-token')
    : undefined;
  const signer = new SignatureV4({
    service: auth.service,
    region: auth.region,
    sha256: Sha256,
    // Sign exactly the client's headers: by default the signer adds (and signs) x-amz-content-sha256, which
    // clients like botocore never send for these services.
    applyChecksum: false,
    credentials: {
      accessKeyId: auth.accessKeyId,
      secretAccessKey,
      ...(token === undefined ? {} : { sessionToken: token }),
    },
  });
  const toSign = new HttpRequest({
    method: request.method,
    protocol: 'http:',
    hostname: (headers.host ?? '').replace(/:\d+$/, ''),
    path: url.pathname,
    query,
    headers,
    body: request.body,
  });
  const signed = await signer.sign(toSign, {
    signingDate: new Date(signedAt),
    signableHeaders: new Set(auth.signedHeaders),
  });
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? ''))?.[1] ?? '';
  const ok =
    expected.length === auth.signature.length &&
    timingSafeEqual(Buffer.from(expected), Buffer.from(auth.signature));
  return ok ? { ok: true } : { ok: false, reason: 'mismatch', message: SIGNATURE_MISMATCH_MESSAGE };
}
