/**
 * `resilient server`: the recommendation web server in the foreground. Its structured log lines go
 * to stdout (what the instances' journald collects); the one human line goes to stderr. SIGINT or
 * SIGTERM drains in-flight requests (bounded by the server's drain deadline), then the command ends.
 */
import { ResilientError, usageError } from '../../errors.ts';
import type { CommandContext } from '../commands.ts';
import { parseHost, parsePort } from '../options.ts';

export async function run({ io, values }: CommandContext): Promise<void> {
  const port = typeof values.port === 'string' ? parsePort(values.port) : undefined;
  const host = typeof values.host === 'string' ? parseHost(values.host) : undefined;
  const { startServer } = await import('../../server/start.ts');
  const { ServerConfigError } = await import('../../server/config.ts');
  let running: Awaited<ReturnType<typeof startServer>>;
  try {
    running = await startServer({
      ...(port === undefined ? {} : { port }),
      ...(host === undefined ? {} : { host }),
    });
  } catch (error: unknown) {
    if (error instanceof ServerConfigError)
      throw usageError(error.message, 'see the RESILIENT_* variables in resilient server --help');
    const code = (error as NodeJS.ErrnoException).code;
    throw new ResilientError(
      'PRECONDITION',
      `the server cannot listen: ${error instanceof Error ? error.message : String(error)}`,
      {
        hint:
          code === 'EACCES' ? 'ports below 1024 need privileges: try --port 8080' : 'choose another --port',
        cause: error,
      },
    );
  }
  io.warn(
    io.style.dim(
      `Recommendation server listening on http://${running.host}:${running.port}/ (Ctrl+C to stop)`,
    ),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await running.close();
}
