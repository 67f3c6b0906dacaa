import type { CallContext } from '../../contracts.ts';
import { authorize } from '../authorize.ts';
import { accessDenied } from '../common-errors.ts';
import type { Exchange } from './exchange.ts';

/** Operations AWS answers regardless of identity policies (STS API reference: "no permissions are required"). */
const ALWAYS_ALLOWED = new Set(['sts:GetCallerIdentity']);

/**
 * Step 6, authorize: IAM evaluation of the caller on the action and the resources it acts on (the admin
 * passes); a denial is AccessDenied in the protocol's own form, naming the caller, action and resource.
 */
export function authorizeCall(
  x: Exchange,
  ctx: CallContext,
  action: string,
  resources: readonly string[],
): void {
  if (ALWAYS_ALLOWED.has(action)) return;
  const verdict = authorize(ctx.cloud, ctx.principal, action, resources);
  if (verdict.decision === 'allow') return;
  const explicit = verdict.decision === 'explicit-deny';
  throw accessDenied(x.protocol, ctx.principal.arn, action, verdict.resource, explicit);
}
