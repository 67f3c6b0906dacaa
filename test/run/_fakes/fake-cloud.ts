import type { Aws } from '../../../src/aws/index.ts';
import type { GetView } from '../../../src/events.ts';
import { fakeAws } from './fake-aws.ts';
import { Faults } from './faults.ts';
import { type FakeDelays, INSTANT, World } from './world.ts';

export interface FakeCloud {
  readonly aws: Aws;
  /** `StepDeps.get` over the fake load balancers (never throws, like `httpGet`). */
  get(url: string, timeoutMs: number): Promise<GetView>;
  readonly world: World;
  readonly faults: Faults;
  /** Every AWS call made, as `service.method`, in order. */
  readonly calls: string[];
  /** What still exists: empty once everything is destroyed. */
  leftovers(): string[];
  /** Resources created more than once (a duplicate create means an idempotency bug). */
  duplicates(): string[];
}

/** An in-memory cloud behind the `Aws` wrapper interfaces: no network, no timers left behind. */
export function createFakeCloud(delays: Partial<FakeDelays> = {}): FakeCloud {
  const world = new World({ ...INSTANT, ...delays });
  const faults = new Faults();
  const calls: string[] = [];
  return {
    aws: fakeAws(world, faults, calls),
    async get(url) {
      await new Promise<void>((resolve) =>
        world.delays.latencyMs > 0 ? setTimeout(resolve, world.delays.latencyMs) : setImmediate(resolve),
      );
      world.settle();
      if (faults.take('get', true) !== undefined)
        return { status: 503, kind: 'error', body: '503 Service Temporarily Unavailable' };
      return world.get(url);
    },
    world,
    faults,
    calls,
    leftovers: () => world.leftovers(),
    duplicates: () => [...world.creations].filter(([, n]) => n > 1).map(([key, n]) => `${key} x${n}`),
  };
}
