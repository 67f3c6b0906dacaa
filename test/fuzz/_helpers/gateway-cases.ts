/**
 * What only the API gateway is fuzzed with, beyond the hostile HTTP every target gets: a valid signature
 * with exactly one part mutated, correctly signed but malformed JSON for the JSON-protocol services (SSM,
 * DynamoDB), and a regression for a crash this fuzzer found.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send as sendSigned, signRequest } from '../../_support/signed-request.ts';
import { goodGet } from './raw-http.ts';
import { startTarget, type TargetProcess } from './target-process.ts';

/** The services this cloud serves (SSM joins the gateway when its module lands). */
let served: Service[];
let endpoint: string;
let region: string;
let credentials: { accessKeyId: string; secretAccessKey: string };
let target: TargetProcess;

interface Service {
  readonly name: string;
  readonly body: string;
  readonly headers: Record<string, string>;
  readonly json: boolean;
}
const SERVICES: readonly Service[] = [
  { name: 'sts', body: 'Action=GetCallerIdentity&Version=2011-06-15', headers: {}, json: false },
  { name: 'iam', body: 'Action=ListRoles&Version=2010-05-08', headers: {}, json: false },
  { name: 'ec2', body: 'Action=DescribeVpcs&Version=2016-11-15', headers: {}, json: false },
  {
    name: 'ssm',
    body: '{"Names":["a"]}',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.GetParameters' },
    json: true,
  },
  {
    name: 'dynamodb',
    body: '{}',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' },
    json: true,
  },
];

const signed = (service: Service, body = service.body) =>
  signRequest({ endpoint, region, service: service.name, credentials, body, headers: service.headers });

/**
 * The error code of an AWS error response in either protocol's envelope (a request whose scope names
 * another service is answered in that service's protocol, so the envelope is recognised, not assumed).
 */
function errorCode(text: string, _json: boolean): string | undefined {
  if (text.trimStart().startsWith('<')) return /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
  const parsed = JSON.parse(text) as { __type?: unknown };
  return typeof parsed.__type === 'string' ? parsed.__type.replace(/^.*#/, '') : undefined;
}

const AUTH_ERRORS = new Set([
  'IncompleteSignature',
  'IncompleteSignatureException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'AuthFailure',
  'RequestExpired',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
]);

/**
 * One change to one signed part of a correctly signed request; each must break the signature. Not here:
 * the x-amz-content-sha256 header alone, because the gateway verifies against the body's real hash
 * (src/local/api/sigv4.ts), so a wrong hash header over an intact body is accepted.
 */
type Mutation = (headers: Record<string, string>) => void;
const replaceIn =
  (name: string, pattern: RegExp, replacement: string | ((match: string) => string)): Mutation =>
  (headers) => {
    const value = headers[name] ?? '';
    headers[name] =
      typeof replacement === 'string'
        ? value.replace(pattern, replacement)
        : value.replace(pattern, (match) => replacement(match));
  };
const MUTATIONS: Record<string, Mutation> = {
  'signature flipped': (h) => {
    const auth = h['authorization'] ?? '';
    const last = auth.at(-1) === '0' ? '1' : '0';
    h['authorization'] = `${auth.slice(0, -1)}${last}`;
  },
  'signature truncated': replaceIn('authorization', /Signature=([0-9a-f]{10})[0-9a-f]+/, 'Signature=$1'),
  'signature uppercased': replaceIn(
    'authorization',
    /Signature=[0-9a-f]+/,
    (s: string) => `Signature=${s.slice(10).toUpperCase()}`,
  ),
  'scope region': replaceIn('authorization', /\/us-[a-z]+-\d\//, '/eu-west-1/'),
  // The local cloud routes by the scope's service (one endpoint for all), so swap it for another served one.
  'scope service': replaceIn('authorization', /\/[a-z0-9]+\/aws4_request/, (m: string) =>
    m === '/sts/aws4_request' ? '/iam/aws4_request' : '/sts/aws4_request',
  ),
  'scope date': replaceIn('authorization', /Credential=([^/]+)\/\d{8}\//, 'Credential=$1/20200101/'),
  'scope terminator': replaceIn('authorization', /aws4_request/, 'aws5_request'),
  'unknown access key': replaceIn('authorization', /Credential=AKIA/, 'Credential=AKIB'),
  'host not signed': replaceIn('authorization', /SignedHeaders=[^,]+/, (list: string) =>
    list
      .split(/[=;]/)
      .filter((h) => h !== 'host')
      .join(';')
      .replace(';', '='),
  ),
  'signed header missing': replaceIn('authorization', /SignedHeaders=/, 'SignedHeaders=x-not-sent;'),
  'no Credential': replaceIn('authorization', /Credential=[^,]+, /, ''),
  'date shifted a second': (h) => {
    const d = h['x-amz-date'] ?? '';
    h['x-amz-date'] = d.replace(/(\d)Z$/, (_, s: string) => `${(Number(s) + 1) % 10}Z`);
  },
  'date malformed': (h) => {
    h['x-amz-date'] = 'yesterday';
  },
};

/** Registers the gateway-only tests inside the shared suite's describe, on the target it started. */
export function gatewayCases(started: () => TargetProcess): void {
  beforeAll(async () => {
    target = started();
    endpoint = String(target.info['endpoint']);
    region = String(target.info['region']);
    credentials = {
      accessKeyId: String(target.info['accessKeyId']),
      secretAccessKey: String(target.info['secretAccessKey']),
    };
    served = [];
    for (const service of SERVICES) {
      const { url, headers } = await signed(service);
      const res = await sendSigned(url, headers, service.body);
      if (!res.text.includes('is not available in this local cloud')) served.push(service);
    }
  });

  it('refuses a correctly signed request with any one signed part changed, with an AWS auth error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...served),
        fc.constantFrom(...Object.keys(MUTATIONS)),
        async (service, mutation) => {
          const { url, headers } = await signed(service);
          const original = { ...headers };
          MUTATIONS[mutation]?.(headers);
          expect(headers, `${mutation} changed nothing`).not.toEqual(original);
          const res = await sendSigned(url, headers, service.body);
          expect([400, 401, 403], `${service.name} / ${mutation}: ${res.text}`).toContain(res.status);
          expect(res.headers.get('x-amzn-requestid')).toBeTruthy();
          expect(AUTH_ERRORS, `${service.name} / ${mutation}: ${res.text}`).toContain(
            errorCode(res.text, service.json),
          );
        },
      ),
      { numRuns: 120 },
    );
  });

  it('answers correctly signed but malformed JSON with a 4xx AWS error, never a 5xx', async () => {
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    // Top-level JSON that is not an object is left to the next test: it crashes the cloud today.
    const isObjectOrInvalid = (text: string): boolean => {
      try {
        const parsed: unknown = JSON.parse(text);
        return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
      } catch {
        return true;
      }
    };
    const body = fc
      .oneof(
        fc.string({ maxLength: 200 }),
        fc.json().chain((j) => fc.nat(j.length).map((cut) => j.slice(0, cut))),
        fc.json({ maxDepth: 3 }),
        fc.constantFrom(
          `{"a":${deep(20_000)}}`,
          '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}',
          '{"Names":5}',
          '{"Names":[null,{},[]]}',
          '{"TableName":{"S":"x"},"Key":"nope"}',
          `{"Name":"${'x'.repeat(30_000)}","Value":"v","Type":"String"}`,
          '{"Limit":1e999}',
          '\u0000\u0000',
          '',
        ),
      )
      .filter(isObjectOrInvalid);
    const targets = fc.constantFrom(
      ...served
        .filter((s) => s.json)
        .flatMap((service) =>
          service.name === 'ssm'
            ? ['AmazonSSM.GetParameters', 'AmazonSSM.PutParameter'].map((t) => ({ service, target: t }))
            : ['DynamoDB_20120810.GetItem', 'DynamoDB_20120810.CreateTable'].map((t) => ({
                service,
                target: t,
              })),
        ),
    );
    await fc.assert(
      fc.asyncProperty(targets, body, async ({ service, target: amzTarget }, text) => {
        const withTarget = { ...service, headers: { ...service.headers, 'x-amz-target': amzTarget } };
        const { url, headers } = await signed(withTarget, text);
        const res = await sendSigned(url, headers, text);
        const what = `${amzTarget} ${JSON.stringify(text.slice(0, 80))}: ${res.text.slice(0, 200)}`;
        expect(res.status, what).toBeGreaterThanOrEqual(200);
        expect(res.status, what).toBeLessThan(500);
        if (res.status >= 400) expect(errorCode(res.text, true), what).toMatch(/^[A-Za-z.]+$/);
      }),
      { numRuns: 150 },
    );
    const { url, headers } = await signed(SERVICES[0] as Service);
    expect((await sendSigned(url, headers, (SERVICES[0] as Service).body)).status).toBe(200);
    expect(target.exited()).toBeUndefined();
  });
}

/** A crash this fuzzer found, on a gateway of its own. */
export function gatewayRegression(): void {
  describe('regression: a crash found by this fuzzer', () => {
    // A correctly signed DynamoDB request whose body was valid JSON but not an object (`null`, `1`, `"x"`)
    // reached dynalite, whose validation threw outside any handler (`TypeError: Cannot read properties of
    // null (reading 'Limit')`, dynalite/validations/index.js:27) and killed the whole local cloud. The
    // gateway's DynamoDB service now answers SerializationException before dynalite sees such a body.
    let own: TargetProcess | undefined;
    afterAll(async () => {
      await own?.close();
    });
    it.each(['null', '1', '"x"', '[]'])(
      'a signed DynamoDB request whose JSON body is %s gets 400 and leaves the cloud answering',
      async (body) => {
        own ??= await startTarget('gateway');
        const ownEndpoint = String(own.info['endpoint']);
        const { url, headers } = await signRequest({
          endpoint: ownEndpoint,
          region: String(own.info['region']),
          service: 'dynamodb',
          credentials: {
            accessKeyId: String(own.info['accessKeyId']),
            secretAccessKey: String(own.info['secretAccessKey']),
          },
          body,
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': 'DynamoDB_20120810.ListTables',
          },
        });
        const res = await sendSigned(url, headers, body).catch(() => undefined);
        expect(res?.status).toBe(400);
        expect(await goodGet(Number(new URL(ownEndpoint).port), '/_local/health')).toBe(200);
      },
    );
  });
}
