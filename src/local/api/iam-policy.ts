/**
 * A small IAM identity-policy evaluator (IAM User Guide, "Policy evaluation logic" and "IAM JSON policy
 * elements"): an explicit Deny in any statement wins, else an Allow wins, else the request is implicitly
 * denied. Supports `Action`/`NotAction`, `Resource`/`NotResource`, string-or-array values, a single-object
 * `Statement`, and the `*` / `?` wildcards — case-insensitive for actions, case-sensitive for resources.
 * Conditions are not modelled: a statement with a `Condition` is rejected at parse time rather than
 * silently widened.
 */

export interface PolicyStatement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[] | undefined;
  readonly notActions: readonly string[] | undefined;
  readonly resources: readonly string[] | undefined;
  readonly notResources: readonly string[] | undefined;
  readonly principal: unknown;
}

export interface ParsedPolicy {
  readonly statements: readonly PolicyStatement[];
}

export type PolicyParse =
  | { readonly ok: true; readonly policy: ParsedPolicy }
  | { readonly ok: false; readonly message: string };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function stringList(value: unknown): string[] | undefined | 'invalid' {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) return value;
  return 'invalid';
}

/**
 * Parses and checks a policy document. `kind: 'identity'` requires Resource/NotResource and forbids
 * Principal; `kind: 'trust'` (a role's AssumeRolePolicyDocument) requires Principal and needs no resource.
 */
export function parsePolicy(document: string, kind: 'identity' | 'trust'): PolicyParse {
  let raw: unknown;
  try {
    raw = JSON.parse(document);
  } catch {
    return { ok: false, message: 'Syntax errors in policy.' };
  }
  if (!isRecord(raw)) return { ok: false, message: 'Syntax errors in policy.' };
  if (raw.Version !== undefined && raw.Version !== '2012-10-17' && raw.Version !== '2008-10-17') {
    return { ok: false, message: 'The policy must contain a valid version string' };
  }
  const rawStatements = Array.isArray(raw.Statement)
    ? raw.Statement
    : raw.Statement === undefined
      ? []
      : [raw.Statement];
  if (rawStatements.length === 0) return { ok: false, message: 'Syntax errors in policy.' };
  const statements: PolicyStatement[] = [];
  for (const s of rawStatements) {
    if (!isRecord(s)) return { ok: false, message: 'Syntax errors in policy.' };
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny')
      return { ok: false, message: 'Syntax errors in policy.' };
    if (s.Condition !== undefined)
      return { ok: false, message: 'Conditions are not supported by the local cloud.' };
    const actions = stringList(s.Action);
    const notActions = stringList(s.NotAction);
    const resources = stringList(s.Resource);
    const notResources = stringList(s.NotResource);
    if ([actions, notActions, resources, notResources].includes('invalid')) {
      return { ok: false, message: 'Syntax errors in policy.' };
    }
    if ((actions === undefined) === (notActions === undefined)) {
      return { ok: false, message: 'Policy statement must contain actions.' };
    }
    if (kind === 'identity') {
      if (s.Principal !== undefined || s.NotPrincipal !== undefined) {
        return { ok: false, message: 'Policy document should not specify a principal.' };
      }
      if ((resources === undefined) === (notResources === undefined)) {
        return { ok: false, message: 'Policy statement must contain resources.' };
      }
    } else if (s.Principal === undefined) {
      return { ok: false, message: 'Missing required field Principal.' };
    }
    statements.push({
      effect: s.Effect,
      actions: actions === 'invalid' ? undefined : actions,
      notActions: notActions === 'invalid' ? undefined : notActions,
      resources: resources === 'invalid' ? undefined : resources,
      notResources: notResources === 'invalid' ? undefined : notResources,
      principal: s.Principal,
    });
  }
  return { ok: true, policy: { statements } };
}

const patternCache = new Map<string, RegExp>();

/** IAM wildcards: `*` any run of characters, `?` exactly one; everything else literal. */
export function wildcardMatch(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const key = `${caseInsensitive ? 'i' : 's'}:${pattern}`;
  let re = patternCache.get(key);
  if (re === undefined) {
    const body = pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
    if (patternCache.size > 5000) patternCache.clear();
    patternCache.set(key, re);
  }
  return re.test(value);
}

const anyMatch = (patterns: readonly string[], value: string, ci: boolean): boolean =>
  patterns.some((p) => wildcardMatch(p, value, ci));

function statementApplies(s: PolicyStatement, action: string, resource: string): boolean {
  const actionOk =
    s.actions !== undefined ? anyMatch(s.actions, action, true) : !anyMatch(s.notActions ?? [], action, true);
  if (!actionOk) return false;
  if (s.resources !== undefined) return anyMatch(s.resources, resource, false);
  if (s.notResources !== undefined) return !anyMatch(s.notResources, resource, false);
  return true;
}

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

/** Evaluates one request (action, resource) against every identity policy of the principal. */
export function evaluate(policies: readonly ParsedPolicy[], action: string, resource: string): Decision {
  let allowed = false;
  for (const policy of policies) {
    for (const s of policy.statements) {
      if (!statementApplies(s, action, resource)) continue;
      if (s.effect === 'Deny') return 'explicit-deny';
      allowed = true;
    }
  }
  return allowed ? 'allow' : 'implicit-deny';
}

/** Evaluates an action over several resources: denied if any resource is denied (the first one reported). */
export function evaluateAll(
  policies: readonly ParsedPolicy[],
  action: string,
  resources: readonly string[],
): { readonly decision: Decision; readonly resource: string } {
  for (const resource of resources.length === 0 ? ['*'] : resources) {
    const decision = evaluate(policies, action, resource);
    if (decision !== 'allow') return { decision, resource };
  }
  return { decision: 'allow', resource: resources[0] ?? '*' };
}
