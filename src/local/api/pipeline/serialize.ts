import type { EncodedResponse } from '../error-envelope.ts';
import { serializeJsonOutput } from '../json-codec.ts';
import { serializeQueryOutput } from '../query-codec.ts';
import { type OperationSchema, xmlNamespaceOf } from '../service-schemas.ts';
import type { Exchange } from './exchange.ts';
import { isJsonProtocol } from './resolve-operation.ts';

/** Step 8, serialize: the handler's output in the protocol's envelope, with the request id. */
export function serializeOutput(x: Exchange, schema: OperationSchema, output: unknown): EncodedResponse {
  if (isJsonProtocol(x.protocol)) {
    return {
      statusCode: 200,
      headers: {
        'x-amzn-RequestId': x.requestId,
        'content-type': `application/x-amz-json-${x.protocol === 'awsJson1_0' ? '1.0' : '1.1'}`,
      },
      body: serializeJsonOutput(output),
    };
  }
  return {
    statusCode: 200,
    headers: { 'x-amzn-RequestId': x.requestId, 'content-type': 'text/xml' },
    body: serializeQueryOutput(schema, output, {
      xmlns: xmlNamespaceOf(x.service),
      requestId: x.requestId,
      ec2: x.protocol === 'ec2Query',
    }),
  };
}
