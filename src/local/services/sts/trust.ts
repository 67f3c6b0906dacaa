import { parsePolicy, wildcardMatch } from '../../api/iam-policy.ts';
import type { Principal } from '../../contracts.ts';

const asList = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** Principal ARNs a trust policy's `AWS` entry can name for this caller: the account, its root, or the caller. */
function principalMatches(entry: string, caller: Principal): boolean {
  if (entry === '*') return true;
  if (entry === caller.accountId || entry === `arn:aws:iam::${caller.accountId}:root`) return true;
  if (caller.kind === 'role-session' && entry === caller.roleArn) return true;
  return wildcardMatch(entry, caller.arn, false);
}

/**
 * Whether the role's trust policy (its AssumeRolePolicyDocument) lets `caller` call sts:AssumeRole: an Allow
 * statement whose action matches and whose Principal names the caller (`"*"`, `{"AWS": …}`), and no Deny that
 * does (IAM User Guide, "Role trust policies"). A `Service` principal such as ec2.amazonaws.com does not match
 * an IAM caller.
 */
export function trustAllows(document: string, caller: Principal): boolean {
  const parsed = parsePolicy(document, 'trust');
  if (!parsed.ok) return false;
  let allowed = false;
  for (const s of parsed.policy.statements) {
    const actionOk =
      s.actions !== undefined
        ? s.actions.some((a) => wildcardMatch(a, 'sts:AssumeRole', true))
        : !(s.notActions ?? []).some((a) => wildcardMatch(a, 'sts:AssumeRole', true));
    if (!actionOk) continue;
    const p = s.principal;
    const entries =
      p === '*'
        ? ['*']
        : typeof p === 'object' && p !== null
          ? asList((p as Record<string, unknown>).AWS)
          : [];
    if (!entries.some((e) => principalMatches(e, caller))) continue;
    if (s.effect === 'Deny') return false;
    allowed = true;
  }
  return allowed;
}
