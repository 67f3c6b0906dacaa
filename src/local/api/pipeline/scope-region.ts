import type { CallContext } from '../../contracts.ts';
import type { Scopes } from '../../scopes.ts';
import { commonError } from '../common-errors.ts';
import type { LocalAccount } from '../principals.ts';
import type { Authenticated } from './authenticate.ts';
import type { Exchange } from './exchange.ts';

/**
 * Services whose requests may be signed for any Region. IAM is global (AWS scopes it to us-east-1, but a
 * client given an endpoint URL signs with its configured Region) and STS has a global endpoint too.
 */
const GLOBAL_SERVICES = new Set(['iam', 'sts']);

export interface RegionScoping {
  readonly scopes: Scopes;
  readonly accounts: readonly LocalAccount[];
  /** Where the global services keep each account's state: the cloud's default Region. */
  readonly homeRegion: string;
  readonly regions: readonly string[];
}

/**
 * Step 2, scope the Region: the call is served in the caller's account and in the Region of the credential
 * scope, as each regional AWS endpoint serves its own. A Region the cloud does not serve is refused as a
 * regional endpoint refuses a foreign scope; IAM and STS are global, and any Region reaches the account's
 * one IAM.
 */
export function scopeRegion(x: Exchange, caller: Authenticated, options: RegionScoping): CallContext {
  const region = caller.auth.region;
  const global = GLOBAL_SERVICES.has(caller.auth.service);
  if (!global && !options.regions.includes(region)) {
    throw commonError(
      x.protocol,
      'signatureMismatch',
      `Credential should be scoped to a valid region, not '${region}'. This local cloud serves ${options.regions.join(', ')}.`,
    );
  }
  const served = global ? options.homeRegion : region;
  return {
    requestId: x.requestId,
    principal: caller.principal,
    cloud: options.scopes.cloud(caller.principal.accountId, served),
    inAccount: (other) =>
      options.accounts.some((a) => a.accountId === other) ? options.scopes.cloud(other, served) : undefined,
  };
}
