/** `resilient local start|stop|status`: the local cloud daemon of a state dir. */
import { DEFAULT_TIME_SCALE } from '../../checkpoint/schema.ts';
import { ResilientError } from '../../errors.ts';
import type { CommandContext } from '../commands.ts';
import { parsePort, parseTimeScale } from '../options.ts';
import { startWait } from '../render/spinner.ts';
import { stateDirOf } from '../run-options.ts';

export async function run({ io, values, command }: CommandContext): Promise<void> {
  const stateDir = stateDirOf(values);
  const control = await import('../../local/daemon/control.ts');
  if (command === 'local start') {
    const timeScale =
      typeof values['time-scale'] === 'string' ? parseTimeScale(values['time-scale']) : DEFAULT_TIME_SCALE;
    const port = typeof values.port === 'string' ? parsePort(values.port) : undefined;
    const wait = startWait(io, { what: 'the local cloud to answer', deadlineMs: 20_000 });
    let result: Awaited<ReturnType<typeof control.startLocalCloud>>;
    try {
      result = await control.startLocalCloud({
        stateDir,
        timeScale,
        ...(port === undefined ? {} : { port }),
      });
    } catch (error: unknown) {
      wait.fail('The local cloud did not start');
      throw error;
    }
    const s = result.status;
    if (result.kind === 'already-running')
      wait.succeed(`The local cloud is already running at ${s.endpoint ?? '?'} (pid ${s.pid ?? '?'})`);
    else
      wait.succeed(
        `Local cloud running at ${s.endpoint ?? '?'} (pid ${s.pid ?? '?'}, time scale ${timeScale})`,
      );
    io.line('');
    io.line('Use it with the AWS CLI or any SDK:');
    io.line(`  export AWS_ENDPOINT_URL=${s.endpoint ?? ''}`);
    io.line(`  export AWS_SHARED_CREDENTIALS_FILE=${s.credentialsFile}`);
    io.line(`  export AWS_CONFIG_FILE=${s.configFile}`);
    io.line(`  export AWS_PROFILE=${s.profile}`);
    io.line(
      io.style.dim(
        `A second account: AWS_PROFILE=${s.secondProfile}. Regions: ${(s.regions ?? []).join(', ')} (by the client's Region).`,
      ),
    );
    io.line(io.style.dim(`Logs: ${s.logFile}`));
    return;
  }
  if (command === 'local stop') {
    const wait = startWait(io, { what: 'the local cloud to stop', deadlineMs: 25_000 });
    const result = await control.stopLocalCloud({ stateDir });
    if (!result.wasRunning) wait.succeed('The local cloud was not running');
    else
      wait.succeed(
        result.forced
          ? 'Local cloud stopped (it had to be killed)'
          : 'Local cloud stopped; its resources are kept for the next start',
      );
    return;
  }
  const status = await control.localCloudStatus({ stateDir });
  if (values.json === true) {
    io.line(JSON.stringify(status, null, 2));
    return;
  }
  if (!status.running) {
    // Scripts test `local status` by its exit code, as with `systemctl status`.
    throw new ResilientError('PRECONDITION', `The local cloud is not running (state dir ${stateDir}).`, {
      hint: 'start it with: resilient local start',
    });
  }
  io.line(
    `${io.style.green('running')} at ${status.endpoint ?? '?'} (pid ${status.pid ?? '?'}, Region ${status.region ?? '?'}, time scale ${status.timeScale ?? '?'})`,
  );
  io.line(io.style.dim(`profile ${status.profile} in ${status.credentialsFile}; logs ${status.logFile}`));
}
