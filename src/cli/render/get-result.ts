/**
 * A GET through the load balancer, as the seed shows it (spec "1. Send a GET request"): the request
 * line, the status, and the body as indented JSON (the seed prints Python reprs; we print JSON).
 */
import type { GetView } from '../../events.ts';
import type { Style } from './style.ts';
import { RULE } from './text.ts';

/** One line per top-level key, nested values inline: the shape of the seed's printout, as JSON. */
export function compactJson(value: unknown): string {
  const inline = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(inline).join(', ')}]`;
    if (typeof v === 'object' && v !== null) {
      return `{${Object.entries(v)
        .map(([k, x]) => `${JSON.stringify(k)}: ${inline(x)}`)
        .join(', ')}}`;
    }
    return JSON.stringify(v) ?? 'null';
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return inline(value);
  const entries = Object.entries(value).map(([k, x]) => `  ${JSON.stringify(k)}: ${inline(x)}`);
  return entries.length === 0 ? '{}' : `{\n${entries.join(',\n')}\n}`;
}

export function renderGetResult(url: string, result: GetView, style: Style): string {
  const noAnswer = result.status === 0 || (result.error !== undefined && result.body === undefined);
  const status = noAnswer
    ? style.red(`no response: ${result.error ?? 'unknown error'}`)
    : result.status < 400
      ? style.green(String(result.status))
      : style.red(String(result.status));
  // A JSON body is shown as the seed shows it; an error page's HTML is noise next to its status.
  const body =
    result.body === undefined ||
    result.body === '' ||
    (typeof result.body === 'string' && result.status >= 400)
      ? []
      : [typeof result.body === 'string' ? result.body : compactJson(result.body)];
  return [
    style.dim(RULE),
    'Request:',
    '',
    `GET ${url}`,
    '',
    'Response:',
    '',
    status,
    ...body,
    style.dim(RULE),
  ].join('\n');
}
