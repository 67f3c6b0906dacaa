import type { GetView } from '../events.ts';

/** The static response's title (seed, "HTTP API specification"). */
export const STATIC_TITLE = '404 Not Found: A Coloring Book';

/** Classifies a GET / answer: a recommendation, the static item, or an error. */
export function classify(status: number, body: unknown): GetView {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
  const metadata = record?.Metadata as { InstanceId?: unknown; AvailabilityZone?: unknown } | undefined;
  const title = (record?.Title as { S?: unknown } | undefined)?.S;
  const kind = status !== 200 || record === undefined ? 'error' : title === STATIC_TITLE ? 'static' : 'real';
  return {
    status,
    kind: kind === 'real' && record?.MediaType === undefined ? 'error' : kind,
    instanceId: typeof metadata?.InstanceId === 'string' ? metadata.InstanceId : undefined,
    zone: typeof metadata?.AvailabilityZone === 'string' ? metadata.AvailabilityZone : undefined,
    body,
  };
}

/**
 * One GET with a deadline; connection errors become a status-0 error view, never a throw. `headers`
 * add to the request's (a probe marks its own GETs this way).
 */
export async function httpGet(
  url: string,
  timeoutMs: number,
  headers: Readonly<Record<string, string>> = {},
): Promise<GetView> {
  try {
    const response = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { connection: 'close', ...headers },
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON (an ALB error page): keep the text.
    }
    return classify(response.status, body);
  } catch (error: unknown) {
    return { status: 0, kind: 'error', error: error instanceof Error ? error.message : String(error) };
  }
}
