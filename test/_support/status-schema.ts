/**
 * The `status --json` document's schema (USAGE.md "status --json"), checked field by field so a
 * change to the contract breaks a test, not a user's script.
 */
import { expect } from 'vitest';
import { STATUS_SCHEMA, type StatusDocument } from '../../src/cli/commands/status.ts';

const nullableString = (v: unknown): boolean => v === null || typeof v === 'string';

export function assertStatusDocument(doc: StatusDocument): void {
  expect(Object.keys(doc).sort()).toEqual(
    [
      'endpoint',
      'exists',
      'name',
      'resources',
      'schema',
      'state',
      'stateDir',
      'status',
      'target',
      'targetHealth',
      'updatedAt',
    ].sort(),
  );
  expect(doc.schema).toBe(STATUS_SCHEMA);
  expect(typeof doc.name).toBe('string');
  expect(typeof doc.stateDir).toBe('string');
  expect(typeof doc.exists).toBe('boolean');
  expect(nullableString(doc.status)).toBe(true);
  expect(nullableString(doc.endpoint)).toBe(true);
  expect(nullableString(doc.updatedAt)).toBe(true);
  if (doc.target !== null) {
    expect(['local', 'aws']).toContain(doc.target.kind);
    expect(typeof doc.target.region).toBe('string');
    expect(nullableString(doc.target.endpoint)).toBe(true);
  }
  for (const r of doc.resources) {
    expect(Object.keys(r).sort()).toEqual(['arn', 'id', 'kind', 'name', 'status']);
    expect(['pending', 'created', 'deleting', 'deleted']).toContain(r.status);
    expect(nullableString(r.id) && nullableString(r.arn)).toBe(true);
  }
  if (doc.targetHealth.available) {
    for (const t of doc.targetHealth.targets) {
      expect(typeof t.id).toBe('string');
      expect(typeof t.state).toBe('string');
    }
  } else {
    expect(typeof doc.targetHealth.reason).toBe('string');
  }
}
