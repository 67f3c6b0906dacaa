import type { Protocol } from '../contracts.ts';
import { escapeXml } from './query-codec.ts';

export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly statusCode: number;
  readonly senderFault: boolean;
}

export interface EncodedResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * An error in the protocol's own envelope (docs/local-cloud.md#protocols):
 * - awsQuery: `<ErrorResponse><Error><Type>Sender|Receiver</Type><Code/><Message/></Error><RequestId/>`;
 * - ec2Query: `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`;
 * - JSON: `{"__type": code, "message": …}` plus `x-amzn-ErrorType`.
 * The SDK derives `error.name` from the code in every case, and the request id from `x-amzn-RequestId`.
 */
export function encodeError(protocol: Protocol, error: WireError, requestId: string): EncodedResponse {
  const base = { 'x-amzn-RequestId': requestId };
  if (protocol === 'awsJson1_0' || protocol === 'awsJson1_1') {
    return {
      statusCode: error.statusCode,
      headers: {
        ...base,
        'content-type': `application/x-amz-json-${protocol === 'awsJson1_0' ? '1.0' : '1.1'}`,
        'x-amzn-ErrorType': error.code,
      },
      body: JSON.stringify({ __type: error.code, message: error.message }),
    };
  }
  const code = escapeXml(error.code);
  const message = escapeXml(error.message);
  const body =
    protocol === 'ec2Query'
      ? `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`
      : `<ErrorResponse><Error><Type>${error.senderFault ? 'Sender' : 'Receiver'}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  return { statusCode: error.statusCode, headers: { ...base, 'content-type': 'text/xml' }, body };
}
