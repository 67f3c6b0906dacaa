import type { Protocol } from '../../contracts.ts';
import { JSON_TARGET_PREFIX } from '../service-schemas.ts';
import type { Exchange } from './exchange.ts';

export const isJsonProtocol = (protocol: Protocol): boolean =>
  protocol === 'awsJson1_0' || protocol === 'awsJson1_1';

/** What names the operation: `X-Amz-Target` for JSON services, the `Action` form field for query ones. */
export type OperationRequest =
  | { readonly json: true; readonly name: string }
  | { readonly json: false; readonly name: string; readonly form: URLSearchParams };

/** Step 3, resolve the operation: its name, from the header or the form the protocol uses. */
export function resolveOperation(x: Exchange, body: Buffer): OperationRequest {
  if (isJsonProtocol(x.protocol)) {
    const target = x.header('x-amz-target') ?? '';
    const prefix = JSON_TARGET_PREFIX[x.service] ?? '';
    x.operation = target.startsWith(`${prefix}.`) ? target.slice(prefix.length + 1) : '';
    return { json: true, name: x.operation };
  }
  const form = new URLSearchParams(body.toString('utf8'));
  x.operation = form.get('Action') ?? '';
  return { json: false, name: x.operation, form };
}
