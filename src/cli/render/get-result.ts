/**
 * A GET through the load balancer, as the seed shows it (spec "1. Send a GET request"): the request
 * line, the status, and the body as indented JSON (the seed prints Python reprs; we print JSON).
 */
import type { GetView } from '../../events.ts';
import type { Style } from './style.ts';
import { RULE } from './text.ts';

export function renderGetResult(url: string, result: GetView, style: Style): string {
  const noAnswer = result.status === 0 || (result.error !== undefined && result.body === undefined);
  const status = noAnswer
    ? style.red(`no response: ${result.error ?? 'unknown error'}`)
    : result.status < 400
      ? style.green(String(result.status))
      : style.red(String(result.status));
  const body =
    result.body === undefined || result.body === ''
      ? []
      : [typeof result.body === 'string' ? result.body : JSON.stringify(result.body, null, 2)];
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
