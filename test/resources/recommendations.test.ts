import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RECOMMENDATIONS } from '../../resources/recommendations.ts';

describe('recommendations resource', () => {
  it('holds the nine seed items, three per media type with ids 1-3', () => {
    const seed: unknown = JSON.parse(
      readFileSync(new URL('./seed-recommendations.json', import.meta.url), 'utf8'),
    );
    expect(RECOMMENDATIONS).toEqual(seed);
    for (const type of ['Book', 'Movie', 'Song']) {
      const ids = RECOMMENDATIONS.filter((i) => i.MediaType.S === type).map((i) => i.ItemId.N);
      expect(ids.sort()).toEqual(['1', '2', '3']);
    }
  });
});
