import type { Principal, ServiceModule } from '../../contracts.ts';
import { commonError } from '../common-errors.ts';
import { type CallerDirectory, resolveCaller } from '../principals.ts';
import type { RawService } from '../raw-service.ts';
import { parseAuthorization, type SigV4Authorization, verifySignature } from '../sigv4.ts';
import { type Exchange, guessProtocol } from './exchange.ts';

/** The service a request is for: a modelled one, or one served by an embedded implementation. */
export type Route =
  | { readonly kind: 'module'; readonly module: ServiceModule }
  | { readonly kind: 'raw'; readonly raw: RawService };

export interface Authenticated {
  readonly auth: SigV4Authorization;
  readonly route: Route;
  readonly principal: Principal;
}

export interface Services {
  readonly modules: ReadonlyMap<string, ServiceModule>;
  readonly raws: ReadonlyMap<string, RawService>;
}

/**
 * Step 1, authenticate: reads the SigV4 `Authorization` header, routes by its credential scope's signing
 * name (which fixes the protocol every later error is spelt in), resolves the access key to its caller and
 * verifies the signature over the body we hashed ourselves, with the clock skew AWS allows.
 */
export async function authenticate(
  x: Exchange,
  body: Buffer,
  services: Services,
  directory: CallerDirectory,
): Promise<Authenticated> {
  const parsed = parseAuthorization(x.header('authorization'));
  if (parsed.kind !== 'ok') {
    x.protocol = guessProtocol(x.req.headers, body);
    throw parsed.kind === 'missing'
      ? commonError(x.protocol, 'missingAuthentication')
      : commonError(x.protocol, 'incompleteSignature', parsed.message);
  }
  const auth = parsed.auth;
  x.service = auth.service;
  const module = services.modules.get(auth.service);
  const raw = services.raws.get(auth.service);
  x.protocol = module?.protocol ?? raw?.protocol ?? guessProtocol(x.req.headers, body);
  if (module === undefined && raw === undefined) {
    throw commonError(
      x.protocol,
      'unknownOperation',
      `The service ${auth.service} is not available in this local cloud.`,
    );
  }
  const route: Route =
    module !== undefined ? { kind: 'module', module } : { kind: 'raw', raw: raw as RawService };

  const caller = resolveCaller(directory, auth.accessKeyId, x.header('x-amz-security-token'));
  if (!caller.ok) throw commonError(x.protocol, caller.error);
  const check = await verifySignature(
    { method: x.req.method ?? 'POST', url: x.req.url ?? '/', headers: x.req.headers, body },
    auth,
    caller.secretAccessKey,
    directory.now(),
  );
  if (!check.ok) {
    const kind =
      check.reason === 'incomplete'
        ? 'incompleteSignature'
        : check.reason === 'expired'
          ? 'signatureExpired'
          : 'signatureMismatch';
    throw commonError(x.protocol, kind, check.message);
  }
  return { auth, route, principal: caller.principal };
}
