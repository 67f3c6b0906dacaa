import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { baseEnv, killLeftovers, spawnCli, tempDir } from '../_support/cli.ts';

const config = tempDir();
afterEach(killLeftovers);
afterAll(() => config.remove());

describe('resilient server', () => {
  it('listens where told, answers, and drains and exits 0 on SIGTERM', async () => {
    let url: string | undefined;
    let status: number | undefined;
    const result = await spawnCli(['server', '--port', '0', '--host', '127.0.0.1'], {
      env: {
        ...baseEnv(config.path),
        // Any dependency call stays on loopback (and fails fast): no real AWS.
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        AWS_REGION: 'us-west-2',
        AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      deadlineMs: 20_000,
      onStdout: (out, child) => {
        const port = /"msg":"listening".*?"port":(\d+)/.exec(out)?.[1];
        if (url !== undefined || port === undefined) return;
        url = `http://127.0.0.1:${port}/nothing-here`;
        fetch(url, { signal: AbortSignal.timeout(5_000) })
          .then((r) => {
            status = r.status;
          })
          .finally(() => child.kill('SIGTERM'));
      },
    });
    expect(url).toBeDefined();
    expect(status).toBe(404);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Recommendation server listening on http://127.0.0.1:');
  });

  it('a port in use is a clear error, exit 1', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const result = await spawnCli(['server', '--port', String(port), '--host', '127.0.0.1'], {
        env: baseEnv(config.path),
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('the server cannot listen');
      expect(result.stderr).toContain('choose another --port');
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
