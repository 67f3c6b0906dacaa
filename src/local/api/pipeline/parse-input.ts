import type { Operation, ServiceModule } from '../../contracts.ts';
import { commonError } from '../common-errors.ts';
import { parseJsonInput } from '../json-codec.ts';
import { parseQueryInput } from '../query-codec.ts';
import { type OperationSchema, operationSchema } from '../service-schemas.ts';
import { validationError } from '../validation.ts';
import type { Exchange } from './exchange.ts';
import type { OperationRequest } from './resolve-operation.ts';

export interface BoundOperation {
  readonly handler: Operation;
  readonly schema: OperationSchema;
  /** The input shaped like the SDK's `XCommandInput`, validated against its schema. */
  readonly input: Record<string, unknown>;
}

/**
 * Step 5, parse: binds the operation to its handler and SDK schema (an operation the module does not serve
 * is the protocol's unknown-operation error), then parses and validates the input against the schema.
 */
export async function parseInput(
  x: Exchange,
  module: ServiceModule,
  request: OperationRequest,
  body: Buffer,
): Promise<BoundOperation> {
  const name = request.name;
  const handler = Object.hasOwn(module.operations, name) ? module.operations[name] : undefined;
  const schema = handler === undefined ? undefined : await operationSchema(x.service, name);
  if (handler === undefined || schema === undefined) {
    const message = request.json
      ? undefined
      : name === ''
        ? 'Could not find operation: the request has no Action parameter.'
        : `Could not find operation ${name} for version ${request.form.get('Version') ?? 'NO_VERSION_SPECIFIED'}`;
    throw commonError(x.protocol, 'unknownOperation', message);
  }
  if (request.json) {
    const parsed = parseJsonInput(schema, body.toString('utf8'));
    if (!parsed.ok) throw commonError(x.protocol, 'malformedBody', parsed.message);
    if (parsed.issues.length > 0) throw validationError(x.protocol, parsed.issues);
    return { handler, schema, input: parsed.input };
  }
  const parsed = parseQueryInput(schema, request.form, x.protocol === 'ec2Query');
  if (parsed.issues.length > 0) throw validationError(x.protocol, parsed.issues);
  return { handler, schema, input: parsed.input };
}

/** The loose parse a raw service gets for authorization: its own implementation validates the input. */
export function looseJsonInput(body: Buffer): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8') || '{}');
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // dynalite answers malformed JSON with its own SerializationException.
  }
  return {};
}
