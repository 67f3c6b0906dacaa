import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../../src/local/api/sha256.ts';

export interface RawRequest {
  readonly endpoint: string;
  readonly region: string;
  readonly service: string;
  readonly credentials: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  readonly body: string;
  readonly headers?: Record<string, string>;
  readonly signingDate?: Date;
}

/** SigV4-signs a POST / like the SDK does (content hash header included), for raw wire tests. */
export async function signRequest(
  request: RawRequest,
): Promise<{ url: string; headers: Record<string, string> }> {
  const url = new URL(request.endpoint);
  const signer = new SignatureV4({
    service: request.service,
    region: request.region,
    sha256: Sha256,
    credentials: request.credentials,
  });
  const { createHash } = await import('node:crypto');
  const unsigned = new HttpRequest({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    headers: {
      host: url.host,
      'content-type': 'application/x-www-form-urlencoded',
      'x-amz-content-sha256': createHash('sha256').update(request.body).digest('hex'),
      ...request.headers,
    },
    body: request.body,
  });
  const signed = await signer.sign(
    unsigned,
    request.signingDate === undefined ? {} : { signingDate: request.signingDate },
  );
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) headers[k] = String(v);
  delete headers.host;
  return { url: `${request.endpoint}/`, headers };
}

/** Sends a raw request and returns status, headers and body text. */
export async function send(
  url: string,
  headers: Record<string, string>,
  body: string | Uint8Array,
): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, headers: res.headers, text: await res.text() };
}
