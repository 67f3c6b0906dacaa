import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallContext, Protocol } from '../contracts.ts';

/**
 * A service whose wire handling is delegated to an embedded implementation (DynamoDB → dynalite): the gateway
 * verifies SigV4 and authorizes, then hands over the original request and its already-read body.
 */
export interface RawService {
  readonly signingName: string;
  readonly protocol: Protocol;
  readonly actionPrefix: string;
  /** Resource ARNs for IAM evaluation, from the operation and its parsed JSON input. */
  resources(operation: string, input: Record<string, unknown>, ctx: CallContext): string[];
  /** Serves the request in the caller's account and the request's Region (`ctx.cloud`). */
  forward(req: IncomingMessage, res: ServerResponse, body: Buffer, ctx: CallContext): void | Promise<void>;
  close(): Promise<void>;
}
