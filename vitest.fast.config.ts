import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * `npm run test:fast`: every test that needs no local cloud and no child process (unit and model-based
 * layers, docs/testing.md#the-layers). Whole folders are listed when all their tests are in-process; the
 * exclusions are the tests in those folders that spawn the CLI or another process, or take minutes. A new in-process test
 * in a listed folder joins by itself; one in a new folder is added here.
 */
export const FAST_INCLUDE = [
  'test/*.test.ts',
  'test/{aws,checkpoint,cli,machines,resources,run,server,steps,userdata}/**/*.test.ts',
  'test/local/api/{codec-coverage,iam-policy}.test.ts',
  'test/local/dataplane/{target-health,fault-proxy}.test.ts',
  'test/local/services/autoscaling/{reconcile,restore}.test.ts',
  'test/{drill,probes,report}/**/*.test.ts',
  'test/watch/{monitor,server}.test.ts',
];

export const FAST_EXCLUDE = [
  'test/checkpoint/lock.test.ts',
  'test/drill/validate.test.ts',
  'test/report/resume-report.test.ts',
  'test/cli/{color,config,help,local-fault,non-tty,resume,server,status,tmux,usage-errors}.test.ts',
  'test/run/local-cloud.test.ts',
  // In-process but minutes of CPU: a crash at every state a full run checkpoints, then resume and destroy.
  'test/run/crash.test.ts',
  'test/server/drain.test.ts',
  'test/userdata/render.test.ts',
];

// biome-ignore lint/style/noDefaultExport: vitest reads its configuration from the default export
export default defineConfig({
  ...base,
  test: { ...base.test, include: FAST_INCLUDE, exclude: [...(base.test?.exclude ?? []), ...FAST_EXCLUDE] },
});
