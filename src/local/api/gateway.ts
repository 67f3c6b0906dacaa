import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import {
  AwsServiceError,
  type CallContext,
  type Cloud,
  type Protocol,
  type ServiceModule,
} from '../contracts.ts';
import type { Scopes } from '../scopes.ts';
import { authorize } from './authorize.ts';
import { accessDenied, commonError } from './common-errors.ts';
import { type EncodedResponse, encodeError } from './error-envelope.ts';
import type { ApiFaults } from './faults.ts';
import { parseJsonInput, serializeJsonOutput } from './json-codec.ts';
import { type LocalAccount, resolveCaller } from './principals.ts';
import { parseQueryInput, serializeQueryOutput } from './query-codec.ts';
import type { RawService } from './raw-service.ts';
import { readBody } from './read-body.ts';
import { newRequestId } from './request-id.ts';
import { JSON_TARGET_PREFIX, operationSchema, xmlNamespaceOf } from './service-schemas.ts';
import { parseAuthorization, verifySignature } from './sigv4.ts';
import { validationError } from './validation.ts';

/** One served API call, for logs and metrics (the gateway itself never prints). */
export interface RequestEvent {
  readonly requestId: string;
  readonly service: string;
  readonly operation: string;
  readonly statusCode: number;
  readonly errorCode: string | undefined;
  readonly durationMs: number;
}

export type ControlHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
) => void | Promise<void>;

export interface GatewayOptions {
  readonly cloud: Cloud;
  /** Every (account, Region) scope: a request is served in its caller's account and signed Region. */
  readonly scopes: Scopes;
  readonly accounts: readonly LocalAccount[];
  /** Where the global services (IAM, STS) keep each account's state: the cloud's default Region. */
  readonly homeRegion: string;
  /** Regions served, in the order listed in errors. */
  readonly regions: readonly string[];
  readonly services: readonly ServiceModule[];
  readonly rawServices: readonly RawService[];
  readonly faults: ApiFaults;
  readonly maxBodyBytes: number;
  /** The non-AWS control route (`/_local/...`). */
  readonly control?: ControlHandler;
  readonly onRequest?: (event: RequestEvent) => void;
}

/** Operations AWS answers regardless of identity policies (STS API reference: "no permissions are required"). */
const ALWAYS_ALLOWED = new Set(['sts:GetCallerIdentity']);
/**
 * Services whose requests may be signed for any Region. IAM is global (AWS scopes it to us-east-1, but a
 * client given an endpoint URL signs with its configured Region) and STS has a global endpoint too.
 */
const ANY_REGION_SERVICES = new Set(['iam', 'sts']);

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Without a usable credential scope, the protocol is guessed from the request so the error is well-formed. */
function guessProtocol(headers: IncomingHttpHeaders, body: Buffer | undefined): Protocol {
  const target = header(headers, 'x-amz-target') ?? '';
  const type = header(headers, 'content-type') ?? '';
  if (target.startsWith('DynamoDB_') || type.includes('amz-json-1.0')) return 'awsJson1_0';
  if (target !== '' || type.includes('json')) return 'awsJson1_1';
  if (body !== undefined && /(^|&)Version=2016-11-15(&|$)/.test(body.toString('latin1'))) return 'ec2Query';
  return 'awsQuery';
}

function send(res: ServerResponse, response: EncodedResponse): void {
  if (res.headersSent) return;
  res.writeHead(response.statusCode, {
    ...response.headers,
    'content-length': Buffer.byteLength(response.body),
  });
  res.end(response.body);
}

function wireErrorOf(error: unknown, protocol: Protocol): AwsServiceError {
  if (error instanceof AwsServiceError) return error;
  return commonError(protocol, 'internalFailure');
}

/**
 * The AWS front door (docs/local-cloud.md): reads the body under a cap, verifies SigV4 (body hash computed here, clock
 * skew enforced), resolves the caller, routes by the credential scope's signing name and the `Action` form
 * field or `X-Amz-Target`, validates the input against the SDK schema, authorizes role sessions with the IAM
 * evaluator, calls the handler and serializes its output in the protocol's envelope. Every response carries
 * `x-amzn-RequestId`.
 */
export function createGateway(options: GatewayOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const modules = new Map(options.services.map((s) => [s.signingName, s]));
  const raws = new Map(options.rawServices.map((s) => [s.signingName, s]));

  return (req, res) => {
    const started = performance.now();
    const requestId = newRequestId();
    let service = '';
    let operation = '';
    const finish = (response: EncodedResponse, errorCode: string | undefined): void => {
      send(res, response);
      options.onRequest?.({
        requestId,
        service,
        operation,
        statusCode: response.statusCode,
        errorCode,
        durationMs: performance.now() - started,
      });
    };
    const fail = (protocol: Protocol, error: AwsServiceError): void =>
      finish(encodeError(protocol, error, requestId), error.code);

    const run = async (): Promise<void> => {
      const read = await readBody(req, options.maxBodyBytes);
      if (!read.ok) {
        if (read.reason === 'aborted') {
          res.destroy();
          return;
        }
        fail(
          guessProtocol(req.headers, undefined),
          commonError(guessProtocol(req.headers, undefined), 'bodyTooLarge'),
        );
        return;
      }
      const body = read.body;
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (path.startsWith('/_local/') && options.control !== undefined) {
        await options.control(req, res, body);
        return;
      }

      const parsedAuth = parseAuthorization(header(req.headers, 'authorization'));
      if (parsedAuth.kind !== 'ok') {
        const protocol = guessProtocol(req.headers, body);
        fail(
          protocol,
          parsedAuth.kind === 'missing'
            ? commonError(protocol, 'missingAuthentication')
            : commonError(protocol, 'incompleteSignature', parsedAuth.message),
        );
        return;
      }
      const auth = parsedAuth.auth;
      service = auth.service;
      const module = modules.get(auth.service);
      const raw = raws.get(auth.service);
      const protocol = module?.protocol ?? raw?.protocol ?? guessProtocol(req.headers, body);
      if (module === undefined && raw === undefined) {
        fail(
          protocol,
          commonError(
            protocol,
            'unknownOperation',
            `The service ${auth.service} is not available in this local cloud.`,
          ),
        );
        return;
      }

      const caller = resolveCaller(
        {
          accounts: options.accounts,
          accountCloud: (accountId) => options.scopes.cloud(accountId, options.homeRegion),
          now: () => options.cloud.clock.now(),
        },
        auth.accessKeyId,
        header(req.headers, 'x-amz-security-token'),
      );
      if (!caller.ok) {
        fail(protocol, commonError(protocol, caller.error));
        return;
      }
      const check = await verifySignature(
        { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body },
        auth,
        caller.secretAccessKey,
        options.cloud.clock.now(),
      );
      if (!check.ok) {
        const kind =
          check.reason === 'incomplete'
            ? 'incompleteSignature'
            : check.reason === 'expired'
              ? 'signatureExpired'
              : 'signatureMismatch';
        fail(protocol, commonError(protocol, kind, check.message));
        return;
      }
      // The credential scope's Region picks the Region served, as each regional AWS endpoint serves its own;
      // one the cloud does not serve is refused as a regional endpoint refuses a foreign scope. IAM and STS
      // are global: any Region reaches the account's one IAM.
      const global = ANY_REGION_SERVICES.has(auth.service);
      if (!global && !options.regions.includes(auth.region)) {
        fail(
          protocol,
          commonError(
            protocol,
            'signatureMismatch',
            `Credential should be scoped to a valid region, not '${auth.region}'. This local cloud serves ${options.regions.join(', ')}.`,
          ),
        );
        return;
      }
      const region = global ? options.homeRegion : auth.region;
      const accountId = caller.principal.accountId;
      const ctx: CallContext = {
        requestId,
        principal: caller.principal,
        cloud: options.scopes.cloud(accountId, region),
        inAccount: (other) =>
          options.accounts.some((a) => a.accountId === other)
            ? options.scopes.cloud(other, region)
            : undefined,
      };
      // IAM evaluation of the caller (the admin passes): answers AccessDenied in the protocol's own form.
      const denied = (protocol: Protocol, action: string, resources: string[]): boolean => {
        if (ALWAYS_ALLOWED.has(action)) return false;
        const verdict = authorize(ctx.cloud, caller.principal, action, resources);
        if (verdict.decision === 'allow') return false;
        const explicit = verdict.decision === 'explicit-deny';
        fail(protocol, accessDenied(protocol, caller.principal.arn, action, verdict.resource, explicit));
        return true;
      };
      const isJson = protocol === 'awsJson1_0' || protocol === 'awsJson1_1';
      let form: URLSearchParams | undefined;
      if (isJson) {
        const target = header(req.headers, 'x-amz-target') ?? '';
        const prefix = JSON_TARGET_PREFIX[auth.service] ?? '';
        operation = target.startsWith(`${prefix}.`) ? target.slice(prefix.length + 1) : '';
      } else {
        form = new URLSearchParams(body.toString('utf8'));
        operation = form.get('Action') ?? '';
      }

      // Drawn once the operation is known, so the request log names the call a fault turned away.
      const injected = options.faults.draw();
      if (injected !== undefined) {
        fail(protocol, commonError(protocol, injected));
        return;
      }

      if (raw !== undefined) {
        let input: Record<string, unknown> = {};
        try {
          const parsed: unknown = JSON.parse(body.toString('utf8') || '{}');
          if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
            input = parsed as Record<string, unknown>;
          }
        } catch {
          // dynalite answers malformed JSON with its own SerializationException.
        }
        if (
          operation !== '' &&
          denied(protocol, `${raw.actionPrefix}:${operation}`, raw.resources(operation, input, ctx))
        ) {
          return;
        }
        await raw.forward(req, res, body, ctx);
        options.onRequest?.({
          requestId,
          service,
          operation,
          statusCode: 200,
          errorCode: undefined,
          durationMs: performance.now() - started,
        });
        return;
      }
      if (module === undefined) return;

      const handler = Object.hasOwn(module.operations, operation) ? module.operations[operation] : undefined;
      const schema = handler === undefined ? undefined : await operationSchema(auth.service, operation);
      if (handler === undefined || schema === undefined) {
        const message = isJson
          ? undefined
          : operation === ''
            ? 'Could not find operation: the request has no Action parameter.'
            : `Could not find operation ${operation} for version ${form?.get('Version') ?? 'NO_VERSION_SPECIFIED'}`;
        fail(protocol, commonError(protocol, 'unknownOperation', message));
        return;
      }

      let input: Record<string, unknown>;
      if (isJson) {
        const parsed = parseJsonInput(schema, body.toString('utf8'));
        if (!parsed.ok) {
          fail(protocol, commonError(protocol, 'malformedBody', parsed.message));
          return;
        }
        if (parsed.issues.length > 0) {
          fail(protocol, validationError(protocol, parsed.issues));
          return;
        }
        input = parsed.input;
      } else {
        const parsed = parseQueryInput(schema, form ?? new URLSearchParams(), protocol === 'ec2Query');
        if (parsed.issues.length > 0) {
          fail(protocol, validationError(protocol, parsed.issues));
          return;
        }
        input = parsed.input;
      }

      if (
        denied(
          protocol,
          `${module.actionPrefix}:${operation}`,
          module.resources?.(operation, input, ctx) ?? ['*'],
        )
      ) {
        return;
      }

      const output = await handler(input, ctx);
      if (isJson) {
        finish(
          {
            statusCode: 200,
            headers: {
              'x-amzn-RequestId': requestId,
              'content-type': `application/x-amz-json-${protocol === 'awsJson1_0' ? '1.0' : '1.1'}`,
            },
            body: serializeJsonOutput(output),
          },
          undefined,
        );
        return;
      }
      finish(
        {
          statusCode: 200,
          headers: { 'x-amzn-RequestId': requestId, 'content-type': 'text/xml' },
          body: serializeQueryOutput(schema, output, {
            xmlns: xmlNamespaceOf(auth.service),
            requestId,
            ec2: protocol === 'ec2Query',
          }),
        },
        undefined,
      );
    };

    run().catch((error: unknown) => {
      const protocol = modules.get(service)?.protocol ?? guessProtocol(req.headers, undefined);
      fail(protocol, wireErrorOf(error, protocol));
    });
  };
}
