/**
 * SDK failures the user can fix (no credentials, expired ones, no Region) become PRECONDITION errors
 * that say how; anything else from the cloud is CLOUD. Used by commands that call AWS directly.
 */
import { ResilientError } from '../errors.ts';

const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'AuthFailure',
]);

export function cloudError(error: unknown, doing: string): ResilientError {
  if (error instanceof ResilientError) return error;
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (CREDENTIAL_ERRORS.has(name)) {
    return new ResilientError(
      'PRECONDITION',
      `AWS rejected or could not find credentials while ${doing}: ${message}`,
      {
        hint: 'configure credentials (aws configure, aws sso login, or AWS_PROFILE) and try again',
        cause: error,
      },
    );
  }
  if (/region is missing/i.test(message)) {
    return new ResilientError('PRECONDITION', `No AWS Region is configured (while ${doing}).`, {
      hint: 'pass --region, set AWS_REGION, or run: resilient config set region <region>',
      cause: error,
    });
  }
  const code = (error as { code?: unknown }).code;
  if (code === 'ECONNREFUSED') {
    return new ResilientError('CLOUD', `Nothing answers at the endpoint while ${doing}: ${message}`, {
      cause: error,
    });
  }
  return new ResilientError('CLOUD', `${doing} failed: ${name === '' ? '' : `${name}: `}${message}`, {
    cause: error,
  });
}
