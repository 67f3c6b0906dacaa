import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Created, created, existing, type ProfileNotReady } from '../../src/aws/result.ts';
import type { LedgerEntry } from '../../src/checkpoint/schema.ts';
import { type CheckpointStore, openCheckpoint } from '../../src/checkpoint/store.ts';
import type { RunEvent } from '../../src/events.ts';
import { createOrAdopt } from '../../src/steps/kit.ts';

/** A cloud of one kind of resource, keyed by name, whose create is idempotent the way the wrappers are. */
function cloud() {
  const made = new Map<string, { id: string; token: string }>();
  const tokens: string[] = [];
  return {
    made,
    tokens,
    async create(name: string, token: string): Promise<Created<{ id: string }>> {
      tokens.push(token);
      const found = made.get(name);
      if (found !== undefined) return existing({ id: found.id });
      const id = `id-${made.size + 1}`;
      made.set(name, { id, token });
      return created({ id });
    },
  };
}

describe('createOrAdopt: the create sequence every deploy step shares', () => {
  let dir: string;
  let store: CheckpointStore;
  let events: RunEvent[];
  const open = (create: boolean) =>
    openCheckpoint({
      stateDir: dir,
      name: 'demo',
      machineVersion: 't',
      ...(create ? { create: { target: { kind: 'local' as const, region: 'us-west-2' } } } : {}),
    });
  const deps = () => ({ ledger: store.ledger, emit: (e: RunEvent) => events.push(e) });
  const onDisk = (): LedgerEntry[] => JSON.parse(readFileSync(join(dir, 'demo.json'), 'utf8')).ledger;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kit-'));
    store = open(true);
    events = [];
  });
  afterEach(() => {
    store.release();
    rmSync(dir, { recursive: true, force: true });
  });

  it('run twice, it creates once and then adopts, with the same idempotency token and one ledger entry', async () => {
    const c = cloud();
    const options = {
      ids: ({ value }: Created<{ id: string }>) => ({ id: value.id }),
      shownId: (v: { id: string }) => v.id,
    };
    const first = await createOrAdopt(deps(), 'table', 't', (token) => c.create('t', token), options);
    const second = await createOrAdopt(deps(), 'table', 't', (token) => c.create('t', token), options);
    expect(first).toEqual({ created: true, value: { id: 'id-1' } });
    expect(second).toEqual({ created: false, value: { id: 'id-1' } });
    expect(c.made.size).toBe(1);
    expect(new Set(c.tokens).size).toBe(1);
    expect(onDisk()).toMatchObject([{ kind: 'table', name: 't', id: 'id-1', status: 'created' }]);
    expect(events).toEqual([
      { type: 'resource', action: 'created', kind: 'table', name: 't', id: 'id-1' },
      { type: 'resource', action: 'adopted', kind: 'table', name: 't', id: 'id-1' },
    ]);
  });

  it('records intent on disk before the call and the ids after it', async () => {
    const c = cloud();
    let during: LedgerEntry[] = [];
    await createOrAdopt(
      deps(),
      'launch-template',
      'lt',
      (token) => {
        during = onDisk();
        return c.create('lt', token);
      },
      { ids: ({ value }) => ({ id: value.id }) },
    );
    expect(during).toMatchObject([{ kind: 'launch-template', name: 'lt', status: 'pending' }]);
    expect(during[0]?.id).toBeUndefined();
    expect(onDisk()).toMatchObject([{ kind: 'launch-template', name: 'lt', status: 'created', id: 'id-1' }]);
    expect(onDisk()[0]?.token).toBe(during[0]?.token);
  });

  it('a failure mid-way leaves the entry pending with its token, and a new process resumes to created', async () => {
    const c = cloud();
    await expect(
      createOrAdopt(deps(), 'role', 'r', async (token) => {
        // The call reached the cloud, then the process died before recording the result.
        await c.create('r', token);
        throw new Error('killed');
      }),
    ).rejects.toThrow('killed');
    expect(onDisk()).toMatchObject([{ kind: 'role', name: 'r', status: 'pending' }]);
    expect(events).toEqual([]);
    const token = onDisk()[0]?.token;
    store.release();

    store = open(false);
    const again = await createOrAdopt(deps(), 'role', 'r', (t) => c.create('r', t));
    expect(again.created).toBe(false);
    expect(c.made.size).toBe(1);
    expect(c.tokens).toEqual([token, token]);
    expect(onDisk()).toMatchObject([{ kind: 'role', name: 'r', status: 'created', token }]);
    expect(events).toEqual([{ type: 'resource', action: 'adopted', kind: 'role', name: 'r' }]);
  });

  it('a profile not yet visible leaves the entry pending and says nothing; the retry records it', async () => {
    const c = cloud();
    let visible = false;
    const create = async (token: string): Promise<Created<{ id: string }> | ProfileNotReady> =>
      visible ? c.create('g', token) : 'profile-not-ready';
    expect(await createOrAdopt(deps(), 'auto-scaling-group', 'g', create)).toBe('profile-not-ready');
    expect(onDisk()).toMatchObject([{ status: 'pending' }]);
    expect(events).toEqual([]);
    visible = true;
    expect(await createOrAdopt(deps(), 'auto-scaling-group', 'g', create)).toMatchObject({ created: true });
    expect(onDisk()).toMatchObject([{ status: 'created' }]);
    expect(events).toMatchObject([{ action: 'created', kind: 'auto-scaling-group', name: 'g' }]);
  });

  it('an existing resource that is not adoptable is refused: the entry stays pending and nothing is announced', async () => {
    const c = cloud();
    await c.create('p', 'someone else');
    const refuse = () => {
      throw new Error('not ours');
    };
    await expect(
      createOrAdopt(deps(), 'policy', 'p', (t) => c.create('p', t), { adoptable: refuse }),
    ).rejects.toThrow('not ours');
    expect(onDisk()).toMatchObject([{ kind: 'policy', name: 'p', status: 'pending' }]);
    expect(events).toEqual([]);
  });

  it('quiet resources are recorded without a resource event', async () => {
    const c = cloud();
    await createOrAdopt(deps(), 'parameter', '/p', (t) => c.create('/p', t), { quiet: true });
    expect(onDisk()).toMatchObject([{ kind: 'parameter', name: '/p', status: 'created' }]);
    expect(events).toEqual([]);
  });
});
