import { request } from 'node:http';

export interface Identity {
  readonly InstanceId: string;
  readonly AvailabilityZone: string;
}

/** What the response carries when IMDS could not be read (e.g. the server runs outside EC2). */
export const UNKNOWN_IDENTITY: Identity = { InstanceId: 'unknown', AvailabilityZone: 'unknown' };

export interface IdentityProviderOptions {
  /** Base URL, e.g. http://169.254.169.254 (AWS_EC2_METADATA_SERVICE_ENDPOINT). */
  readonly endpoint: string;
  readonly timeoutMs: number;
  /** After a failure, how long to answer UNKNOWN_IDENTITY before asking IMDS again. */
  readonly retryAfterMs: number;
  readonly now: () => number;
  readonly onError?: (error: unknown) => void;
}

export interface IdentityProvider {
  /** Never rejects: the instance identity, or UNKNOWN_IDENTITY while IMDS is unavailable. */
  get(): Promise<Identity>;
}

/** Session token lifetime asked for; we need it for two GETs only, so the minimum that is not racy. */
const TOKEN_TTL_SECONDS = '60';

/**
 * Instance identity through IMDSv2 (EC2 User Guide, "Use IMDSv2"): PUT /latest/api/token with
 * `X-aws-ec2-metadata-token-ttl-seconds`, then GETs with `X-aws-ec2-metadata-token`. An instance's id
 * and zone never change, so the first success is cached for the life of the process; a failure is
 * retried after `retryAfterMs` (IMDS throttles per instance, so we must not ask on every request).
 */
export function createIdentityProvider(options: IdentityProviderOptions): IdentityProvider {
  let cached: Identity | undefined;
  let failedAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<Identity> | undefined;

  const load = async (): Promise<Identity> => {
    try {
      const token = await imdsCall(options, 'PUT', '/latest/api/token', {
        'x-aws-ec2-metadata-token-ttl-seconds': TOKEN_TTL_SECONDS,
      });
      const headers = { 'x-aws-ec2-metadata-token': token };
      const [instanceId, zone] = await Promise.all([
        imdsCall(options, 'GET', '/latest/meta-data/instance-id', headers),
        imdsCall(options, 'GET', '/latest/meta-data/placement/availability-zone', headers),
      ]);
      cached = { InstanceId: instanceId.trim(), AvailabilityZone: zone.trim() };
      return cached;
    } catch (error: unknown) {
      failedAt = options.now();
      options.onError?.(error);
      return UNKNOWN_IDENTITY;
    } finally {
      inFlight = undefined;
    }
  };

  return {
    get(): Promise<Identity> {
      if (cached !== undefined) return Promise.resolve(cached);
      if (options.now() - failedAt < options.retryAfterMs) return Promise.resolve(UNKNOWN_IDENTITY);
      inFlight ??= load();
      return inFlight;
    },
  };
}

export class ImdsError extends Error {
  readonly statusCode: number | undefined;
  constructor(message: string, statusCode?: number) {
    super(message);
    this.name = 'ImdsError';
    this.statusCode = statusCode;
  }
}

/** One IMDS HTTP call with a hard deadline covering connect, headers and body. */
function imdsCall(
  options: IdentityProviderOptions,
  method: 'GET' | 'PUT',
  path: string,
  headers: Record<string, string>,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(`${options.endpoint}${path}`, {
      method,
      headers,
      agent: false,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    req.on('error', (error: Error) => {
      reject(error.name === 'AbortError' ? new ImdsError(`IMDS ${method} ${path} timed out`) : error);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve(body);
        else reject(new ImdsError(`IMDS ${method} ${path} answered ${status}`, status));
      });
    });
    req.end();
  });
}
