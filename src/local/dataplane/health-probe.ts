/**
 * One health check as ALB sends it (docs/local-cloud.md#health-checks): `GET <path>` on a fresh connection closed after
 * the check, `Host: <private-ip>:<port>`, `User-Agent: ELB-HealthChecker/2.0`. Only the status code
 * counts; redirects are not followed; no answer within the timeout is `Target.Timeout`.
 */
import http from 'node:http';
import { matchesCode, type ProbeResult } from './target-health.ts';

export interface ProbeRequest {
  /** Loopback port that reaches the target, or undefined when nothing can answer (connection refused). */
  readonly endpoint: number | undefined;
  readonly path: string;
  readonly hostHeader: string;
  readonly matcher: string;
  readonly timeoutMs: number;
}

export function probe(request: ProbeRequest): Promise<ProbeResult> {
  const { endpoint } = request;
  if (endpoint === undefined) return Promise.resolve({ ok: false, kind: 'connection' });
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = http.get({
      host: '127.0.0.1',
      port: endpoint,
      path: request.path.startsWith('/') ? request.path : `/${request.path}`,
      agent: false,
      headers: { Host: request.hostHeader, 'User-Agent': 'ELB-HealthChecker/2.0', Connection: 'close' },
    });
    const timer = setTimeout(() => {
      settle({ ok: false, kind: 'timeout' });
      req.destroy();
    }, request.timeoutMs);
    req.on('response', (res) => {
      res.resume();
      res.on('error', () => undefined);
      const code = res.statusCode ?? 0;
      settle(matchesCode(request.matcher, code) ? { ok: true } : { ok: false, kind: 'code', code });
      res.destroy();
    });
    req.on('error', () => settle({ ok: false, kind: 'connection' }));
  });
}
