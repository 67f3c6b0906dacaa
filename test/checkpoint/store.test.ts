import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/checkpoint/lock.ts';
import { openCheckpoint } from '../../src/checkpoint/store.ts';
import { ResilientError } from '../../src/errors.ts';

const target = { kind: 'local' as const, region: 'us-west-2', endpoint: 'http://127.0.0.1:1' };

describe('checkpoint store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the ledger to disk with mode 0600 before a step call returns, keeping one token per resource', () => {
    const store = openCheckpoint({ stateDir: dir, name: 'demo', machineVersion: 'v1', create: { target } });
    const intent = store.ledger.intend('table', 't1');
    const onDisk = () => JSON.parse(readFileSync(join(dir, 'demo.json'), 'utf8'));
    expect(onDisk().ledger).toEqual([
      expect.objectContaining({ kind: 'table', name: 't1', status: 'pending', token: intent.token }),
    ]);
    store.ledger.created('table', 't1', { arn: 'arn:t1' });
    store.ledger.intend('table', 't1');
    expect(onDisk().ledger).toEqual([
      expect.objectContaining({ status: 'created', arn: 'arn:t1', token: intent.token }),
    ]);
    store.ledger.deleting('table', 't1');
    store.ledger.deleted('table', 't1');
    expect(onDisk().ledger[0].status).toBe('deleted');
    expect(statSync(join(dir, 'demo.json')).mode & 0o777).toBe(0o600);
    store.release();
  });

  it('refuses a corrupt checkpoint with a CHECKPOINT error and leaves the file untouched', () => {
    writeFileSync(join(dir, 'demo.json'), '{"schema": 1, "trunc');
    const open = () => openCheckpoint({ stateDir: dir, name: 'demo', machineVersion: 'v1' });
    expect(open).toThrow(ResilientError);
    expect(open).toThrow(/not valid JSON/);
    expect(readFileSync(join(dir, 'demo.json'), 'utf8')).toBe('{"schema": 1, "trunc');
  });

  it('refuses a checkpoint written by another machine version', () => {
    openCheckpoint({ stateDir: dir, name: 'demo', machineVersion: 'v1', create: { target } }).release();
    expect(() => openCheckpoint({ stateDir: dir, name: 'demo', machineVersion: 'v2' })).toThrow(
      /machine version v1/,
    );
  });

  it('lets one process drive a name and takes over a lock whose owner is dead', () => {
    const store = openCheckpoint({ stateDir: dir, name: 'demo', machineVersion: 'v1', create: { target } });
    expect(() => openCheckpoint({ stateDir: dir, name: 'demo', machineVersion: 'v1' })).toThrow(
      /Another resilient process/,
    );
    store.release();
    // A pid that cannot be alive (beyond pid_max) stands for a SIGKILLed run.
    writeFileSync(join(dir, 'other.lock'), '99999999\n');
    const lock = acquireLock(join(dir, 'other.lock'));
    expect(JSON.parse(readFileSync(join(dir, 'other.lock'), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });
});
