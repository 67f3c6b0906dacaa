/**
 * Markdown anchors as GitHub renders them, and the `docs/…md#anchor` citations a file makes, for the
 * documentation-reference test.
 */

/** GitHub's heading id: inline markup dropped, lower case, punctuation removed, spaces → hyphens. */
export function slug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a markdown text defines: its headings (outside code fences) and `<a name|id="…">`. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading?.[1] !== undefined) {
      const base = slug(heading[1]);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const m of line.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) if (m[1]) anchors.add(m[1]);
  }
  return anchors;
}

export interface Citation {
  /** A path under docs/ (from the repo root), a path relative to the citing file, or '' for the file itself. */
  readonly target: string;
  readonly anchor: string | undefined;
  readonly line: number;
}

/** `docs/<file>.md[#anchor]` anywhere; in markdown also relative links `](path.md#anchor)` and `](#anchor)`. */
export function citedAnchors(text: string, markdown: boolean): Citation[] {
  const out: Citation[] = [];
  text.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(/(?<![\w./-])(docs\/[\w-]+\.md)(?:#([\w-]+))?/g)) {
      out.push({ target: m[1] ?? '', anchor: m[2], line: i + 1 });
    }
    if (!markdown) return;
    for (const m of line.matchAll(/\]\((?!https?:|mailto:)([^)\s#]*\.md)?(?:#([\w-]+))?\)/g)) {
      if (m[1] === undefined && m[2] === undefined) continue;
      out.push({ target: m[1] ?? '', anchor: m[2], line: i + 1 });
    }
  });
  return out;
}
