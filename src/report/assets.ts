/** The files the live page and report.html are made of: shipped in the package, read once, never fetched. */
import { readFileSync } from 'node:fs';

const read = (name: string): string => readFileSync(new URL(name, import.meta.url), 'utf8');

let css: string | undefined;
let viewJs: string | undefined;

export const viewCss = (): string => {
  css ??= read('./view.css');
  return css;
};

const MODEL_IMPORT = /^import \{[^}]*\} from '\.\/view-model\.js';\n/m;
const MODEL_REEXPORT = /^export \* from '\.\/view-model\.js';\n/m;

/**
 * view.js for the browser: view-model.js and view.js as one module. Every request the live server
 * answers needs the page's token, and a relative import in the browser (`./view-model.js`) would be
 * fetched without it; joined, the two are the same code Node runs, with view.js's import of the model
 * replaced by the model's own declarations.
 */
export function joinViewModules(model: string, view: string): string {
  if (!MODEL_IMPORT.test(view) || !MODEL_REEXPORT.test(view)) {
    throw new Error("view.js no longer imports and re-exports './view-model.js' as joinViewModules expects");
  }
  return `${model}\n${view.replace(MODEL_IMPORT, '').replace(MODEL_REEXPORT, '')}`;
}

export const viewScript = (): string => {
  viewJs ??= joinViewModules(read('./view-model.js'), read('./view.js'));
  return viewJs;
};
