import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { joinViewModules, viewScript } from '../../src/report/assets.ts';
import * as view from '../../src/report/view.js';
import { syntheticJournal } from '../_support/run-events.ts';

const journal = syntheticJournal;

/** Loads a module from its text, as the browser loads /view.js: one file, no sibling to fetch. */
const load = (text: string): Promise<typeof view> =>
  import(`data:text/javascript;base64,${Buffer.from(text).toString('base64')}`);

describe('the view script the live page loads', () => {
  it('is one module with no import, exporting what view.js exports and rendering the same page', async () => {
    const script = viewScript();
    expect(script).not.toMatch(/^\s*(import|export \*) .* from /m);
    const joined = await load(script);
    expect(Object.keys(joined).sort()).toEqual(Object.keys(view).sort());
    const from = Date.parse('2026-01-01T00:00:00Z');
    const options = { now: from + 600_000 };
    expect(joined.renderApp(joined.modelOf(journal()), options)).toBe(
      view.renderApp(view.modelOf(journal()), options),
    );
  });

  it('refuses to join a view.js that no longer imports the model the way it expects', () => {
    const model = readFileSync(new URL('../../src/report/view-model.js', import.meta.url), 'utf8');
    expect(() => joinViewModules(model, "import { clock } from './elsewhere.js';\n")).toThrow(
      /view-model\.js/,
    );
  });
});
