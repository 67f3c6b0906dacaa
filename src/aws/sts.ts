import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type ClientConfig, type Opened, opened, sdkConfig } from './config.ts';
import { type CallOptions, sendOptions } from './errors.ts';

export interface Identity {
  readonly account: string;
  readonly arn: string;
}

export interface Sts {
  /** @see https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html */
  getCallerIdentity(options?: CallOptions): Promise<Identity>;
}

export function createSts(client: STSClient): Sts {
  return {
    async getCallerIdentity(options) {
      const out = await client.send(new GetCallerIdentityCommand({}), sendOptions(options));
      return { account: out.Account ?? '', arn: out.Arn ?? '' };
    },
  };
}

/** STS alone (which account and Region am I in?), without loading the other services' clients. */
export const openSts = (config: ClientConfig): Opened<Sts> =>
  opened(new STSClient(sdkConfig(config)), createSts);
