/**
 * Where a run's API calls go. Local: the state dir's local cloud (started if needed) with its admin
 * credentials. AWS: the SDK's default credential chain, after showing the account and Region (STS)
 * and, before anything is created, asking — resources there cost money.
 */
import { cloudError } from './aws-errors.ts';
import type { Io } from './io.ts';
import { ensureLocalCloud } from './local-target.ts';
import type { Prompter } from './prompter.ts';
import { askAwsCost } from './questions.ts';

export interface Connection {
  readonly region: string;
  readonly endpoint?: string | undefined;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
  /** Local only: the time scale the cloud runs at (a running cloud's own when it was adopted). */
  readonly timeScale?: number | undefined;
}

/** The state dir's local cloud, started if it is not running (`ensureLocalCloud`'s options). */
export async function connectLocal(
  io: Io,
  options: Parameters<typeof ensureLocalCloud>[1],
): Promise<Connection> {
  const { region, endpoint, credentials, timeScale } = await ensureLocalCloud(io, options);
  return { region, endpoint, credentials, timeScale };
}

/** STS GetCallerIdentity: proves the credentials work and tells the user whose account this is. */
export async function awsIdentity(
  region: string | undefined,
): Promise<{ account: string; arn: string; region: string }> {
  const { openSts } = await import('../aws/sts.ts');
  const sts = openSts({ region, maxAttempts: 3 });
  try {
    const resolved = await sts.region().catch((error: unknown) => {
      throw cloudError(error, 'resolving the AWS Region');
    });
    const who = await sts.api.getCallerIdentity().catch((error: unknown) => {
      throw cloudError(error, 'checking your AWS identity (STS GetCallerIdentity)');
    });
    return { account: who.account || '?', arn: who.arn || '?', region: resolved };
  } finally {
    sts.close();
  }
}

export async function connectAws(
  io: Io,
  prompter: Prompter,
  options: { readonly region: string | undefined; readonly creating: boolean },
): Promise<Connection | undefined> {
  const who = await awsIdentity(options.region);
  io.line(`AWS account ${io.style.bold(who.account)}, Region ${io.style.bold(who.region)}`);
  io.line(io.style.dim(`as ${who.arn}`));
  if (options.creating) {
    io.line(
      io.style.yellow(
        'This creates real resources (an Application Load Balancer, three t3.micro instances, a DynamoDB table): they cost money until destroyed.',
      ),
    );
    // Saying no is a choice, not a failure: nothing was created, exit 0.
    if (!(await askAwsCost(prompter, who.account, who.region))) return undefined;
  }
  return { region: who.region };
}
