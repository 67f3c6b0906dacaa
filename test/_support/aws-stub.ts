import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A reply of the stub: a JSON body with a status, or an AWS JSON-protocol error. */
export type StubReply = { readonly status?: number; readonly body: unknown };
export type StubHandler = (input: Record<string, unknown>) => StubReply | Promise<StubReply>;

export interface StubCall {
  readonly operation: string;
  readonly input: Record<string, unknown>;
}

/**
 * A tiny AWS JSON-protocol endpoint (awsJson1_0 for DynamoDB, awsJson1_1 for SSM): routes on
 * `X-Amz-Target` (`DynamoDB_20120810.GetItem`, `AmazonSSM.GetParameters`) to a handler per operation,
 * records every call, and counts requests the client abandoned before we answered.
 */
export interface AwsStub {
  readonly url: string;
  readonly calls: StubCall[];
  /** Requests whose connection closed before a reply was written (client-side timeout or abort). */
  abandoned: number;
  on(operation: string, handler: StubHandler): void;
  count(operation: string): number;
  close(): Promise<void>;
}

export function awsError(type: string, message: string, status = 400): StubReply {
  return { status, body: { __type: type, message } };
}

/** A handler that never answers (a hung dependency). */
export const hang: StubHandler = () => new Promise<StubReply>(() => {});

export async function startAwsStub(): Promise<AwsStub> {
  const handlers = new Map<string, StubHandler>();
  const stub: AwsStub = {
    url: '',
    calls: [],
    abandoned: 0,
    on: (operation, handler) => void handlers.set(operation, handler),
    count: (operation) => stub.calls.filter((c) => c.operation === operation).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.slice(target.indexOf('.') + 1);
      const text = Buffer.concat(chunks).toString('utf8');
      const input = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
      stub.calls.push({ operation, input });
      let answered = false;
      res.on('close', () => {
        if (!answered) stub.abandoned++;
      });
      const handler = handlers.get(operation);
      const pending = Promise.resolve(
        handler === undefined ? awsError('UnknownOperationException', operation) : handler(input),
      );
      void pending.then((reply) => {
        if (res.destroyed) return;
        answered = true;
        const body = JSON.stringify(reply.body);
        res.writeHead(reply.status ?? 200, {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-requestid': `stub-${stub.calls.length}`,
        });
        res.end(body);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  (stub as { url: string }).url = `http://127.0.0.1:${port}`;
  return stub;
}

/** SSM GetParameters answering from a map; unknown names go to InvalidParameters, as SSM does. */
export function parametersFrom(values: () => Record<string, string>): StubHandler {
  return (input) => {
    const names = Array.isArray(input['Names']) ? (input['Names'] as string[]) : [];
    const current = values();
    const found = names.filter((n) => current[n] !== undefined);
    return {
      body: {
        Parameters: found.map((Name) => ({ Name, Value: current[Name], Type: 'String', Version: 1 })),
        InvalidParameters: names.filter((n) => current[n] === undefined),
      },
    };
  };
}
