import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { AwsServiceError, type Protocol } from '../../contracts.ts';
import { commonError } from '../common-errors.ts';
import { type EncodedResponse, encodeError } from '../error-envelope.ts';
import { newRequestId } from '../request-id.ts';

/** One served API call, for logs and metrics (the gateway itself never prints). */
export interface RequestEvent {
  readonly requestId: string;
  readonly service: string;
  readonly operation: string;
  readonly statusCode: number;
  readonly errorCode: string | undefined;
  readonly durationMs: number;
}

export const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Without a usable credential scope, the protocol is guessed from the request so the error is well-formed. */
export function guessProtocol(headers: IncomingHttpHeaders, body: Buffer | undefined): Protocol {
  const target = header(headers, 'x-amz-target') ?? '';
  const type = header(headers, 'content-type') ?? '';
  if (target.startsWith('DynamoDB_') || type.includes('amz-json-1.0')) return 'awsJson1_0';
  if (target !== '' || type.includes('json')) return 'awsJson1_1';
  if (body !== undefined && /(^|&)Version=2016-11-15(&|$)/.test(body.toString('latin1'))) return 'ec2Query';
  return 'awsQuery';
}

/**
 * One request as it goes through the gateway's steps: what is known so far (service, operation, the
 * protocol errors must be spelt in) and the two ways it ends, a response or an AWS error. Steps throw an
 * `AwsServiceError` to end it; anything else thrown is the service's `InternalFailure`.
 */
export class Exchange {
  readonly requestId = newRequestId();
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  service = '';
  operation = '';
  protocol: Protocol;
  readonly #started = performance.now();
  readonly #onRequest: ((event: RequestEvent) => void) | undefined;

  constructor(req: IncomingMessage, res: ServerResponse, onRequest?: (event: RequestEvent) => void) {
    this.req = req;
    this.res = res;
    this.#onRequest = onRequest;
    this.protocol = guessProtocol(req.headers, undefined);
  }

  header(name: string): string | undefined {
    return header(this.req.headers, name);
  }

  /** Writes the response (unless something already did) and records the call. */
  send(response: EncodedResponse, errorCode: string | undefined = undefined): void {
    if (!this.res.headersSent) {
      this.res.writeHead(response.statusCode, {
        ...response.headers,
        'content-length': Buffer.byteLength(response.body),
      });
      this.res.end(response.body);
    }
    this.served(response.statusCode, errorCode);
  }

  /** Answers an error in the protocol's envelope; a non-AWS error is the protocol's InternalFailure. */
  fail(error: unknown): void {
    const wire = error instanceof AwsServiceError ? error : commonError(this.protocol, 'internalFailure');
    this.send(encodeError(this.protocol, wire, this.requestId), wire.code);
  }

  /** Records a call whose response another component wrote (DynamoDB). */
  served(statusCode: number, errorCode: string | undefined = undefined): void {
    this.#onRequest?.({
      requestId: this.requestId,
      service: this.service,
      operation: this.operation,
      statusCode,
      errorCode,
      durationMs: performance.now() - this.#started,
    });
  }
}
