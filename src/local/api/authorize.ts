import type { Cloud, Principal } from '../contracts.ts';
import { findRole, policyDocument } from '../services/iam/model.ts';
import { type Decision, evaluateAll, type ParsedPolicy, parsePolicy } from './iam-policy.ts';

const parsedCache = new Map<string, ParsedPolicy | null>();

function parsedPolicy(document: string): ParsedPolicy | undefined {
  let cached = parsedCache.get(document);
  if (cached === undefined) {
    const parsed = parsePolicy(document, 'identity');
    cached = parsed.ok ? parsed.policy : null;
    if (parsedCache.size > 1000) parsedCache.clear();
    parsedCache.set(document, cached);
  }
  return cached ?? undefined;
}

/** The identity policies in force for a role session: the managed policies attached to its role now. */
export function rolePolicies(cloud: Cloud, roleName: string): ParsedPolicy[] {
  const role = findRole(cloud, roleName);
  if (role === undefined) return [];
  const policies: ParsedPolicy[] = [];
  for (const arn of role.attachedPolicyArns) {
    const document = policyDocument(cloud, arn);
    const parsed = document === undefined ? undefined : parsedPolicy(document);
    if (parsed !== undefined) policies.push(parsed);
  }
  return policies;
}

/** The admin principal is allowed everything; a role session is evaluated against its role's policies. */
export function authorize(
  cloud: Cloud,
  principal: Principal,
  action: string,
  resources: readonly string[],
): { readonly decision: Decision; readonly resource: string } {
  if (principal.kind === 'admin') return { decision: 'allow', resource: resources[0] ?? '*' };
  return evaluateAll(rolePolicies(cloud, principal.roleName), action, resources);
}
