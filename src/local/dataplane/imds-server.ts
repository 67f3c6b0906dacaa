/**
 * One instance's metadata service (IMDSv2) on its own loopback port; the instance process finds it
 * through AWS_EC2_METADATA_SERVICE_ENDPOINT. Protocol per docs/local-cloud.md#imdsv2: PUT /latest/api/token,
 * GETs with `X-aws-ec2-metadata-token`, 401 without a token when HttpTokens=required, 404 for unknown
 * items, 405 for other methods, duplicate slashes collapsed (the ec2-metadata-service client sends `//latest`).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InstanceSpec } from '../contracts.ts';
import {
  assumeRoleFailureDocument,
  credentialsDocument,
  iamInfoDocument,
  NOT_FOUND_PAGE,
} from './imds-documents.ts';
import { parseTokenTtl, TokenStore } from './imds-tokens.ts';
import type { RoleCredentialCache } from './role-credentials.ts';

export interface ImdsSource {
  readonly region: string;
  /** The instance as the control plane sees it now (its role can change while it runs). */
  spec(): InstanceSpec | undefined;
  readonly credentials: RoleCredentialCache;
  now(): number;
  /** When the instance was launched, for iam/info's LastUpdated. */
  readonly launchedAt: number;
}

export interface ImdsServer {
  readonly port: number;
  readonly endpoint: string;
  close(): Promise<void>;
}

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly contentType?: string;
  readonly location?: string;
}

const text = (status: number, body: string): Reply => ({ status, body });
const NOT_FOUND: Reply = { status: 404, body: NOT_FOUND_PAGE, contentType: 'text/html' };

export async function startImdsServer(source: ImdsSource): Promise<ImdsServer> {
  const tokens = new TokenStore(source.now);
  const server = http.createServer({ maxHeaderSize: 16_384 }, (req, res) => {
    req.resume();
    const reply = route(req, source, tokens);
    const headers: Record<string, string | number> = {
      'Content-Type': reply.contentType ?? 'text/plain',
      'Content-Length': Buffer.byteLength(reply.body),
      Server: 'EC2ws',
    };
    if (reply.location !== undefined) headers['Location'] = reply.location;
    res.writeHead(reply.status, headers);
    res.end(req.method === 'HEAD' ? undefined : reply.body);
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function route(req: http.IncomingMessage, source: ImdsSource, tokens: TokenStore): Reply {
  const path = (req.url ?? '/').split('?')[0]?.replace(/\/{2,}/g, '/') ?? '/';
  if (req.method === 'PUT') return putToken(req, path, tokens);
  if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'Method Not Allowed');
  const spec = source.spec();
  if (spec === undefined) return NOT_FOUND;
  const token = req.headers['x-aws-ec2-metadata-token'];
  if (typeof token === 'string' ? !tokens.isValid(token) : spec.httpTokens === 'required') {
    return text(401, 'Unauthorized');
  }
  if (path === '/latest' || path === '/latest/') return text(200, 'dynamic\nmeta-data\nuser-data');
  if (path === '/latest/user-data') return spec.userData === '' ? NOT_FOUND : text(200, spec.userData);
  if (!path.startsWith('/latest/meta-data')) return NOT_FOUND;
  return metadata(path.slice('/latest/meta-data'.length), spec, source);
}

function putToken(req: http.IncomingMessage, path: string, tokens: TokenStore): Reply {
  if (path !== '/latest/api/token') {
    return /^\/[^/]+\/api\/token$/.test(path) ? text(403, 'Forbidden') : text(405, 'Method Not Allowed');
  }
  // A forwarded request is not from the instance itself: IMDSv2 refuses it (docs/local-cloud.md#imdsv2).
  if (req.headers['x-forwarded-for'] !== undefined) return text(403, 'Forbidden');
  const ttl = parseTokenTtl(req.headers['x-aws-ec2-metadata-token-ttl-seconds']);
  if (ttl === undefined) return text(400, 'Missing or Invalid Parameters');
  return text(200, tokens.issue(ttl));
}

function metadata(item: string, spec: InstanceSpec, source: ImdsSource): Reply {
  const role = spec.roleName;
  const profile = spec.instanceProfileArn;
  const hasIam = role !== undefined && profile !== undefined;
  switch (item) {
    case '':
      return { status: 301, body: '', location: '/latest/meta-data/' };
    case '/':
      return text(200, ['instance-id', 'local-ipv4', 'placement/', ...(hasIam ? ['iam/'] : [])].join('\n'));
    case '/instance-id':
      return text(200, spec.instanceId);
    case '/local-ipv4':
      return text(200, spec.privateIpAddress);
    case '/placement/':
      return text(200, 'availability-zone\nregion');
    case '/placement/availability-zone':
      return text(200, spec.availabilityZone);
    case '/placement/region':
      return text(200, source.region);
  }
  if (!hasIam || !item.startsWith('/iam')) return NOT_FOUND;
  switch (item) {
    case '/iam':
      return { status: 301, body: '', location: '/latest/meta-data/iam/' };
    case '/iam/':
      return text(200, 'info\nsecurity-credentials/');
    case '/iam/info':
      return { status: 200, body: iamInfoDocument(profile, source.launchedAt), contentType: 'text/plain' };
    case '/iam/security-credentials/':
      return text(200, role);
    case `/iam/security-credentials/${role}`:
      return roleCredentials(role, source);
  }
  return NOT_FOUND;
}

function roleCredentials(role: string, source: ImdsSource): Reply {
  try {
    return text(200, credentialsDocument(source.credentials.get(role)));
  } catch {
    // The control plane could not issue a session (role deleted, trust policy): EC2's failure document.
    return text(200, assumeRoleFailureDocument(role, source.now()));
  }
}
