import { describe, expect, it } from 'vitest';
import { operationSchema } from '../../../src/local/api/service-schemas.ts';
import { serviceModules } from '../../../src/local/services/index.ts';

describe('codec coverage', () => {
  it('finds an SDK schema for every operation any registered service module serves', async () => {
    const missing: string[] = [];
    for (const module of serviceModules) {
      for (const op of Object.keys(module.operations)) {
        if ((await operationSchema(module.signingName, op)) === undefined)
          missing.push(`${module.signingName}:${op}`);
      }
    }
    expect(missing).toEqual([]);
    expect(serviceModules.map((m) => m.signingName)).toEqual(expect.arrayContaining(['sts', 'iam']));
  });
});
