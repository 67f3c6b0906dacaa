/** The files the live page and report.html are made of: shipped in the package, read once, never fetched. */
import { readFileSync } from 'node:fs';

const read = (name: string): string => readFileSync(new URL(name, import.meta.url), 'utf8');

let css: string | undefined;
let viewJs: string | undefined;

export const viewCss = (): string => {
  css ??= read('./view.css');
  return css;
};

export const viewScript = (): string => {
  viewJs ??= read('./view.js');
  return viewJs;
};
