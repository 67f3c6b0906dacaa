import type { Aws } from '../../../src/aws/index.ts';
import type { GetView } from '../../../src/events.ts';
import { fakeAws } from './fake-aws.ts';
import { Faults } from './faults.ts';
import { type FakeDelays, INSTANT, World } from './world.ts';

/** One process's view of the cloud: its clients die with it. */
export interface FakeSession {
  readonly aws: Aws;
  /** `StepDeps.get` over the fake load balancers (never throws, like `httpGet`). */
  get(url: string, timeoutMs: number): Promise<GetView>;
  /** SIGKILL: calls already on the wire complete, every later call fails. */
  kill(): void;
}

export interface FakeCloud extends FakeSession {
  /** A new client set over the same world (a new process after a crash). */
  session(): FakeSession;
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
  const session = (): FakeSession => {
    let alive = true;
    return {
      aws: fakeAws(world, faults, calls, () => alive),
      async get(url) {
        await new Promise<void>((resolve) =>
          world.delays.latencyMs > 0 ? setTimeout(resolve, world.delays.latencyMs) : setImmediate(resolve),
        );
        if (!alive) return { status: 0, kind: 'error', error: 'the process was killed' };
        world.settle();
        if (faults.take('get', true) !== undefined)
          return { status: 503, kind: 'error', body: '503 Service Temporarily Unavailable' };
        return world.get(url);
      },
      kill: () => {
        alive = false;
      },
    };
  };
  return {
    ...session(),
    session,
    world,
    faults,
    calls,
    leftovers: () => world.leftovers(),
    duplicates: () => [...world.creations].filter(([, n]) => n > 1).map(([key, n]) => `${key} x${n}`),
  };
}
