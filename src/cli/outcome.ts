/**
 * From a finished run to what the user is told and the exit code: success is 0; a stage that did not
 * behave is VERIFICATION, a wait past its deadline TIMEOUT, a refused call CLOUD (all exit 1); Ctrl+C
 * is INTERRUPTED (130). The mapping to numbers stays in `exitCodeOf`.
 */
import { ResilientError } from '../errors.ts';
import type { RunResult } from '../run/index.ts';

/** What an interrupted run says, wherever it was interrupted (a step, a wait, a prompt): its next steps. */
export function interruptedRunError(name: string, checkpoint: string): ResilientError {
  return new ResilientError(
    'INTERRUPTED',
    `Interrupted. The run '${name}' is checkpointed in ${checkpoint}.`,
    {
      hint: `continue with: resilient resume --name ${name}   or tear down with: resilient destroy --name ${name}`,
    },
  );
}

export function outcomeError(result: RunResult): ResilientError | undefined {
  const { outcome, name, output, destroy } = result;
  const again = `resilient destroy --name ${name}`;
  if (outcome === 'succeeded' || outcome === 'kept') return undefined;
  if (outcome === 'interrupted') return interruptedRunError(name, result.checkpoint);
  const teardown = destroy ?? output?.destroy;
  const leftovers =
    teardown !== undefined && teardown.outcome !== 'succeeded'
      ? ` Destroy did not finish${teardown.leftovers.length > 0 ? ` (left: ${teardown.leftovers.join(', ')})` : ''}.`
      : '';
  const deploy = output?.deploy;
  if (deploy !== undefined && deploy.outcome !== 'succeeded') {
    // Preflight runs before the first create: what it refuses (credentials, no default VPC, an
    // instance type not offered) is the user's to fix, and nothing exists yet.
    if (deploy.failedStep === 'preflight') {
      return new ResilientError('PRECONDITION', `Preflight failed: ${deploy.error ?? 'no detail'}`, {
        hint: 'nothing was created; fix the cause above and run again',
      });
    }
    return new ResilientError(
      deploy.outcome === 'timed-out' ? 'TIMEOUT' : 'CLOUD',
      `Deploy ${deploy.outcome === 'timed-out' ? 'timed out' : 'failed'}${deploy.failedStep === undefined ? '' : ` at ${deploy.failedStep}`}: ${deploy.error ?? 'no detail'}.${leftovers}`,
      {
        hint:
          leftovers === ''
            ? 'everything it created was destroyed; fix the cause and run again'
            : `run: ${again}`,
      },
    );
  }
  const demo = output?.demo;
  if (demo !== undefined && demo.outcome !== 'passed') {
    const failed = demo.results.filter((r) => !r.pass).map((r) => r.stage);
    const steady =
      demo.before?.pass === false
        ? `the steady state did not hold before the method: ${demo.before.reasons.join('; ')}`
        : demo.after?.pass === false
          ? `the steady state did not come back: ${demo.after.reasons.join('; ')}`
          : undefined;
    const what =
      demo.stopped !== undefined
        ? `Stop condition '${demo.stopped}' held: the method was aborted and rolled back`
        : failed.length > 0
          ? `Stage ${failed.join(', ')} did not behave as expected`
          : `The demo failed: ${demo.error ?? steady ?? 'no detail'}`;
    return new ResilientError('VERIFICATION', `${what}.${leftovers}`, {
      hint: leftovers === '' ? 'see the verification lines above' : `run: ${again}`,
    });
  }
  if (teardown !== undefined && teardown.outcome !== 'succeeded') {
    const errors = Object.entries(teardown.errors).map(([step, e]) => `${step}: ${e}`);
    return new ResilientError(
      teardown.outcome === 'timed-out' ? 'TIMEOUT' : 'CLOUD',
      `Destroy ${teardown.outcome === 'timed-out' ? 'timed out' : 'failed'}${errors.length > 0 ? ` (${errors.join('; ')})` : ''}.${teardown.leftovers.length > 0 ? ` Left: ${teardown.leftovers.join(', ')}.` : ''}`,
      { hint: `it is safe to repeat: ${again}` },
    );
  }
  return new ResilientError(
    outcome === 'timed-out' ? 'TIMEOUT' : 'CLOUD',
    `The run ended with outcome '${outcome}'.`,
    {
      hint: `run: ${again}`,
    },
  );
}
