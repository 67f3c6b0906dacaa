/** What one GET to the load balancer returned, classified as the demo stages read it (docs/architecture.md#the-seven-stages). */
export interface Seen {
  readonly status: number;
  readonly kind: 'real' | 'static' | 'error';
  readonly instanceId: string | undefined;
}

/** The seed's static item (spec "HTTP API specification"): what `failure-response=static` serves. */
export const STATIC_TITLE = '404 Not Found: A Coloring Book';
const REQUEST_DEADLINE_MS = 5_000;

/**
 * `GET http://<DNSName>/` with Node's fetch, as the seed's clients do. A connection failure rejects (the
 * caller decides whether that is expected); any HTTP status is a value.
 */
export async function fetchItem(dnsName: string): Promise<Seen> {
  const res = await fetch(`http://${dnsName}/`, { signal: AbortSignal.timeout(REQUEST_DEADLINE_MS) });
  const text = await res.text();
  if (res.status !== 200) return { status: res.status, kind: 'error', instanceId: undefined };
  const body = JSON.parse(text) as { Title?: { S?: string }; Metadata?: { InstanceId?: string } };
  return {
    status: res.status,
    kind: body.Title?.S === STATIC_TITLE ? 'static' : 'real',
    instanceId: body.Metadata?.InstanceId,
  };
}

/** `n` GETs one after another (round-robin visits every healthy target in turn). */
export async function sample(dnsName: string, n: number): Promise<Seen[]> {
  const out: Seen[] = [];
  for (let i = 0; i < n; i++) out.push(await fetchItem(dnsName));
  return out;
}
