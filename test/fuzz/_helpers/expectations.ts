/**
 * The correct answers to each kind of hostile request, per target. A status list is exhaustive: anything
 * else (a 5xx where the client is at fault, a hang) fails the fuzz test. `closed` means the target may
 * also just close the connection (only where no HTTP message could be recognised at all).
 */
import type { HostileCase } from './hostile.ts';

export type Answer = number | 'closed';

/** Methods Node's parser (llhttp) knows; any other method is a malformed request line (400). */
const KNOWN_METHODS = new Set([
  'PUT',
  'DELETE',
  'PATCH',
  'OPTIONS',
  'PROPFIND',
  'M-SEARCH',
  'GET',
  'POST',
  'HEAD',
]);
const isHealthcheck = (c: HostileCase): boolean => /^\/healthcheck(\?|$)/.test(c.path ?? '');

/** What the recommendation server answers by route: GET-only paths 405 other methods, unknown paths 404. */
function routeAnswer(c: HostileCase): number {
  if (!KNOWN_METHODS.has(c.method ?? '')) return 400;
  return isHealthcheck(c) ? 405 : 404;
}

/** The recommendation server (limits: 8 KiB of headers, 1 KiB of body; src/server/app.ts). */
export function serverAnswers(c: HostileCase): readonly Answer[] {
  switch (c.kind) {
    case 'bad-request-line':
      // An illegal byte in the path may still be a legal request target to Node's parser: then it routes.
      return [400, 404];
    case 'bad-version':
    case 'bad-chunked':
    case 'smuggling':
      return [400];
    case 'huge-header':
    case 'too-many-headers':
      return [431];
    case 'truncated-body':
      // The route is decided on the head alone; the missing body is never waited for.
      return [routeAnswer(c), 400];
    case 'odd-method':
      return [routeAnswer(c)];
    case 'random-bytes':
      return [400, 'closed'];
  }
}

/**
 * The local load balancer (ALB's limits: 64 KiB of headers → 400; unsupported Transfer-Encoding → 501;
 * docs/local-cloud.md#request-pipeline). What it accepts is forwarded, so the target's own answer comes back.
 */
export function loadBalancerAnswers(c: HostileCase): readonly Answer[] {
  switch (c.kind) {
    case 'bad-request-line':
      return [400, 404];
    case 'bad-version':
    case 'bad-chunked':
      return [400];
    case 'smuggling':
      return [400, 501];
    case 'huge-header':
      return c.headBytes > 65_536 ? [400] : [431];
    case 'too-many-headers':
      return [400, 431];
    case 'truncated-body':
      return [400, routeAnswer(c)];
    case 'odd-method':
      return [routeAnswer(c)];
    case 'random-bytes':
      return [400, 'closed'];
  }
}

/**
 * The local cloud's API gateway (Node's 16 KiB header limit → 431; anything that parses but is unsigned is
 * AWS's MissingAuthenticationToken, 403).
 */
export function gatewayAnswers(c: HostileCase): readonly Answer[] {
  switch (c.kind) {
    case 'bad-request-line':
      return [400, 403];
    case 'bad-version':
    case 'bad-chunked':
    case 'smuggling':
    case 'truncated-body':
      return [400];
    case 'huge-header':
      return c.headBytes > 16_384 ? [431] : [403];
    case 'too-many-headers':
      return [431];
    case 'odd-method':
      return [KNOWN_METHODS.has(c.method ?? '') ? 403 : 400];
    case 'random-bytes':
      return [400, 'closed'];
  }
}
