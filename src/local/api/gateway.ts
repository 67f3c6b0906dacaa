import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Cloud, ServiceModule } from '../contracts.ts';
import { commonError } from './common-errors.ts';
import type { ApiFaults } from './faults.ts';
import { authenticate, type Services } from './pipeline/authenticate.ts';
import { authorizeCall } from './pipeline/authorize-call.ts';
import { Exchange, type RequestEvent } from './pipeline/exchange.ts';
import { looseJsonInput, parseInput } from './pipeline/parse-input.ts';
import { resolveOperation } from './pipeline/resolve-operation.ts';
import { type RegionScoping, scopeRegion } from './pipeline/scope-region.ts';
import { serializeOutput } from './pipeline/serialize.ts';
import type { CallerDirectory } from './principals.ts';
import type { RawService } from './raw-service.ts';
import { readBody } from './read-body.ts';

export type { RequestEvent } from './pipeline/exchange.ts';

export type ControlHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
) => void | Promise<void>;

export interface GatewayOptions extends RegionScoping {
  readonly cloud: Cloud;
  readonly services: readonly ServiceModule[];
  readonly rawServices: readonly RawService[];
  readonly faults: ApiFaults;
  readonly maxBodyBytes: number;
  /** The non-AWS control route (`/_local/...`). */
  readonly control?: ControlHandler;
  readonly onRequest?: (event: RequestEvent) => void;
}

/** Step 0: the body, under a cap; undefined when the client went away (nothing to answer). */
async function readRequest(x: Exchange, maxBodyBytes: number): Promise<Buffer | undefined> {
  const read = await readBody(x.req, maxBodyBytes);
  if (read.ok) return read.body;
  if (read.reason === 'aborted') {
    x.res.destroy();
    return undefined;
  }
  throw commonError(x.protocol, 'bodyTooLarge');
}

/** Step 4, faults: a throttle or failure drawn once the operation is known, so the log names the call. */
function injectFaults(x: Exchange, faults: ApiFaults): void {
  const injected = faults.draw();
  if (injected !== undefined) throw commonError(x.protocol, injected);
}

/**
 * The AWS front door (docs/local-cloud.md), one request through named steps: read the body under a cap; authenticate
 * (SigV4 parsed, the service routed by the credential scope's signing name, the caller resolved, the
 * signature verified over the body hashed here, clock skew enforced); scope the Region (the caller's
 * account, the scope's Region); resolve the operation (`X-Amz-Target` or `Action`); draw injected faults;
 * parse and validate the input against the SDK schema; authorize with the IAM evaluator; invoke the handler;
 * serialize its output in the protocol's envelope. DynamoDB, served by dynalite, is authorized and then
 * forwarded. Any step ends the request by throwing an AWS error, answered in the protocol's form. Every
 * response carries `x-amzn-RequestId`.
 */
export function createGateway(options: GatewayOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const services: Services = {
    modules: new Map(options.services.map((s) => [s.signingName, s])),
    raws: new Map(options.rawServices.map((s) => [s.signingName, s])),
  };
  const directory: CallerDirectory = {
    accounts: options.accounts,
    accountCloud: (accountId) => options.scopes.cloud(accountId, options.homeRegion),
    now: () => options.cloud.clock.now(),
  };

  const serve = async (x: Exchange): Promise<void> => {
    const body = await readRequest(x, options.maxBodyBytes);
    if (body === undefined) return;
    if ((x.req.url ?? '/').startsWith('/_local/') && options.control !== undefined) {
      await options.control(x.req, x.res, body);
      return;
    }
    const caller = await authenticate(x, body, services, directory);
    const ctx = scopeRegion(x, caller, options);
    const request = resolveOperation(x, body);
    injectFaults(x, options.faults);

    if (caller.route.kind === 'raw') {
      const raw = caller.route.raw;
      if (request.name !== '') {
        const resources = raw.resources(request.name, looseJsonInput(body), ctx);
        authorizeCall(x, ctx, `${raw.actionPrefix}:${request.name}`, resources);
      }
      await raw.forward(x.req, x.res, body, ctx);
      x.served(200);
      return;
    }
    const module = caller.route.module;
    const bound = await parseInput(x, module, request, body);
    const resources = module.resources?.(request.name, bound.input, ctx) ?? ['*'];
    authorizeCall(x, ctx, `${module.actionPrefix}:${request.name}`, resources);
    const output = await bound.handler(bound.input, ctx);
    x.send(serializeOutput(x, bound.schema, output));
  };

  return (req, res) => {
    const x = new Exchange(req, res, options.onRequest);
    serve(x).catch((error: unknown) => x.fail(error));
  };
}
