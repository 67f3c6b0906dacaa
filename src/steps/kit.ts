import type { Created, ProfileNotReady } from '../aws/result.ts';
import type { ResourceKind } from '../checkpoint/schema.ts';
import type { StepDeps } from './deps.ts';

/** What the ledger keeps of a resource once it exists. */
export interface LedgerIds {
  readonly id?: string | undefined;
  readonly arn?: string | undefined;
}

export interface AdoptOptions<T> {
  /** The ids the ledger records, from the wrapper's value. None when absent. */
  readonly ids?: (result: Created<T>) => LedgerIds;
  /**
   * Refuses an existing resource before it is recorded, by throwing: IAM names are global to the
   * account, so a role of our name is adopted only when its tags say it is this deployment's.
   */
  readonly adoptable?: (value: T) => void;
  /** The id the `resource` event shows beside the name, if any. */
  readonly shownId?: (value: T) => string | undefined;
  /** No `resource` event: parameters, the listener and the ingress rule have never printed one. */
  readonly quiet?: boolean;
}

/**
 * The one create sequence of every deploy step, safe to run again after a crash or a retry:
 * record intent (`pending`, keeping the entry's idempotency token) → the wrapper's create, which adopts a
 * resource that already exists → `created` with its ids → tell the user it was created or adopted.
 * A profile not yet visible to EC2 leaves the entry `pending`: the step waits and runs this again.
 * A restored snapshot re-runs the step from the top, so this must never depend on having run before
 * (docs/architecture.md, "Orchestration").
 */
export function createOrAdopt<T>(
  deps: Pick<StepDeps, 'ledger' | 'emit'>,
  kind: ResourceKind,
  name: string,
  create: (token: string) => Promise<Created<T>>,
  options?: AdoptOptions<T>,
): Promise<Created<T>>;
export function createOrAdopt<T>(
  deps: Pick<StepDeps, 'ledger' | 'emit'>,
  kind: ResourceKind,
  name: string,
  create: (token: string) => Promise<Created<T> | ProfileNotReady>,
  options?: AdoptOptions<T>,
): Promise<Created<T> | ProfileNotReady>;
export async function createOrAdopt<T>(
  deps: Pick<StepDeps, 'ledger' | 'emit'>,
  kind: ResourceKind,
  name: string,
  create: (token: string) => Promise<Created<T> | ProfileNotReady>,
  options: AdoptOptions<T> = {},
): Promise<Created<T> | ProfileNotReady> {
  const entry = deps.ledger.intend(kind, name);
  const result = await create(entry.token);
  if (result === 'profile-not-ready') return result;
  if (!result.created) options.adoptable?.(result.value);
  deps.ledger.created(kind, name, options.ids?.(result) ?? {});
  if (options.quiet !== true) {
    const id = options.shownId?.(result.value);
    deps.emit({
      type: 'resource',
      action: result.created ? 'created' : 'adopted',
      kind,
      name,
      ...(id === undefined ? {} : { id }),
    });
  }
  return result;
}

/** A resource is gone (deleted now, or there was nothing to delete): the ledger says `deleted`, the user is told which. */
export function recordGone(
  deps: Pick<StepDeps, 'ledger' | 'emit'>,
  kind: ResourceKind,
  name: string,
  existed: boolean,
): void {
  deps.ledger.deleted(kind, name);
  deps.emit({ type: 'resource', action: existed ? 'deleted' : 'absent', kind, name });
}
