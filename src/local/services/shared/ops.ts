/**
 * Shared service code of the local cloud: the one place that turns a typed handler into a contract
 * `Operation` (the gateway's codec is driven by the SDK's own schemas, so the parsed input has the SDK input
 * shape; this is where that is asserted).
 */
import type { CallContext, Operation } from '../../contracts.ts';

export function op<I, O>(fn: (input: I, ctx: CallContext) => O): Operation {
  return (input, ctx) => fn(input as I, ctx);
}

/** A handler's output: the SDK's `XCommandOutput` without the client-side `$metadata`. */
export type Out<T> = Omit<T, '$metadata'>;
