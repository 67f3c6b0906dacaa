/**
 * Every command: its help (usage, options, examples) and a lazy loader, so `--help` and argument
 * errors never pay for the AWS SDK, xstate or enquirer.
 */
import { DEFAULT_PARAMETER_NAMES, SERVER_ENV } from '../server/env.ts';
import type { CommandSpec } from './command-spec.ts';
import { FAULT_COMMANDS } from './fault-commands.ts';

export type { CommandContext, CommandModule, CommandSpec } from './command-spec.ts';

const RUN_OPTIONS = [
  'target',
  'name',
  'region',
  'state-dir',
  'time-scale',
  'yes',
  'keep',
  'port',
  'report',
  'web',
  'web-port',
  'probe-rate',
  'no-color',
] as const;

/** The live view and the reports, on every command that drives a run (see USAGE.md, "Reports"). */
export const RECORDING_OPTIONS = ['report', 'web', 'web-port', 'probe-rate'] as const;

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'start',
    summary: 'deploy the service, walk through the seven failure stages, then destroy everything',
    description: [
      'Deploys a DynamoDB table, IAM roles, a launch template, an Auto Scaling group of three',
      'instances and an Application Load Balancer; then breaks and heals the service in seven',
      'stages (broken dependency, static response, bad credentials, deep health checks,',
      'instance replacement, fail open); then asks before destroying everything it made.',
      '',
      'After each stage a menu lets you send GET requests and check target health. With --yes',
      'each stage is instead observed automatically and checked (PASS/FAIL); a failed stage',
      'makes the run exit 1 after destroying (unless --keep).',
      '',
      '--experiment FILE runs that experiment instead of the seven stages (see `resilient drill',
      'validate`): it is checked before anything is created (exit 2), kept in the checkpoint (a',
      'resume runs the same content), and its rollbacks always run, Ctrl+C included.',
      '',
      'The first Ctrl+C in the stages, at the menu too, runs the rollbacks (the seven stages: the',
      'reset) before it exits 130; a second quits at once.',
      'The run is checkpointed in <state-dir>/<name>.json: after Ctrl+C, use `resilient resume`',
      'or `resilient destroy`. On --target local (the default) the local cloud is started if it',
      'is not running (on --port, default 4566); a running one is used at its own time scale',
      'unless --time-scale says otherwise. On --target aws, resources cost money: you are asked first.',
    ],
    options: [...RUN_OPTIONS.slice(0, 8), 'experiment', ...RUN_OPTIONS.slice(8)],
    examples: [
      'resilient start',
      'resilient start --yes --time-scale 0.05',
      'resilient start --yes --time-scale 0.05 --experiment resources/experiments/hang-one-instance.yaml',
      'resilient start --yes --time-scale 0.05 --port 0 --state-dir /tmp/try',
      'resilient start --target aws --region us-west-2 --name game-day',
      'resilient start --yes --time-scale 0.05 --report reports/',
      'resilient start --web',
    ],
    load: () => import('./commands/start.ts'),
  },
  {
    name: 'resume',
    summary: 'continue an interrupted run from its checkpoint',
    description: [
      'Restores the run named --name from <state-dir>/<name>.json and carries on from the last',
      'completed step. Every step is idempotent, so a step that was in flight is simply redone.',
    ],
    options: ['name', 'state-dir', 'yes', 'keep', ...RECORDING_OPTIONS, 'no-color'],
    examples: [
      'resilient resume',
      'resilient resume --name game-day --yes',
      'resilient resume --yes --report reports/',
    ],
    load: () => import('./commands/resume.ts'),
  },
  {
    name: 'destroy',
    summary: 'tear down everything a run created, then sweep by tag and verify nothing is left',
    description: [
      "Deletes every resource recorded in the run's checkpoint, in dependency order, then sweeps",
      'for anything tagged resilient:deployment=<name> and checks that nothing of it remains.',
      'Without a checkpoint, sweeps --target (and --region) by the names and tag of --name.',
      'Safe to repeat: what is already gone counts as done.',
    ],
    options: ['name', 'from-state', 'target', 'region', 'state-dir', 'yes', 'no-color'],
    examples: [
      'resilient destroy',
      'resilient destroy --name game-day --yes',
      'resilient destroy --from-state state/demo.json',
    ],
    load: () => import('./commands/destroy.ts'),
  },
  {
    name: 'status',
    summary: "show a run's state, its resources, the endpoint and live target health",
    description: [
      'Reads the checkpoint of the run named --name and, when the cloud is reachable, the live',
      'health of the load balancer targets. --json prints one JSON document (see USAGE.md).',
    ],
    options: ['name', 'state-dir', 'json', 'no-color'],
    examples: ['resilient status', 'resilient status --name game-day --json'],
    load: () => import('./commands/status.ts'),
  },
  {
    name: 'watch',
    summary: 'a live view of a deployment in the browser: stage, request outcomes, target health',
    description: [
      'Serves a read-only page on 127.0.0.1 for the deployment named --name, and prints its URL',
      '(with a random token; requests without it get 403) on a line of its own. The page shows the',
      'current stage, what it changed and its PASS/FAIL, request outcomes per second from a',
      "low-rate probe through the load balancer (marked x-resilient-probe: watch), each target's",
      "health and reason code, the instances' lifecycle, and the actions taken, pushed as they",
      'happen. It follows the run from <state-dir>/<name>.journal.jsonl, so start the run in',
      'another terminal (or use `resilient start --web`). Ctrl+C stops watching (exit 130);',
      'the run is not touched.',
    ],
    options: ['name', 'state-dir', 'port', 'probe-rate', 'no-color'],
    examples: [
      'resilient watch',
      'resilient watch --name game-day --port 8700',
      'resilient watch --probe-rate 5',
    ],
    load: () => import('./commands/watch.ts'),
  },
  {
    name: 'drill',
    summary: 'run an experiment file against a deployment kept by start --keep',
    args: '<file>',
    positionals: { min: 1, max: 1 },
    description: [
      'Runs the experiment (see USAGE.md, "Experiments") against the deployment named --name,',
      'which `resilient start --keep --name N` deployed: the steady state is checked (nothing is',
      'changed when it does not hold), the stages act, wait and are checked by probes through the',
      'load balancer, stop conditions abort, the rollbacks always run, and the steady state is',
      'checked again. The file is validated first: a bad one exits 2 and touches nothing.',
      'PASS exits 0; a failed or aborted drill exits 1; Ctrl+C exits 130 after the call in',
      'flight, and the same command resumes the drill at its stage (<state-dir>/<name>.drill.json).',
      'To check a file only: resilient drill validate <file>.',
    ],
    options: ['name', 'state-dir', ...RECORDING_OPTIONS, 'no-color'],
    examples: [
      'resilient start --keep --name lab --yes --time-scale 0.05',
      'resilient drill resources/experiments/hang-one-instance.yaml --name lab',
      'resilient destroy --name lab',
    ],
    load: () => import('./commands/drill.ts'),
  },
  {
    name: 'drill validate',
    summary: 'check an experiment file (YAML or JSON) without touching any cloud',
    args: '<file>',
    positionals: { min: 1, max: 1 },
    description: [
      'Parses the file and checks it against resources/experiment.schema.json, then what a',
      'schema cannot say: every instance selector an action or check names is defined, parameter',
      'values fit their parameter, no min is above its max, and local-only actions (fault,',
      'api-faults) appear only in experiments for the local cloud (refused with --target aws).',
      'A problem exits 2 naming the file, the JSON pointer and line, and what was expected.',
    ],
    options: ['target', 'no-color'],
    examples: [
      'resilient drill validate resources/experiments/hang-one-instance.yaml',
      'resilient drill validate my-drill.json --target aws',
    ],
    load: () => import('./commands/drill-validate.ts'),
  },
  {
    name: 'hello',
    summary: 'Hello, Elastic Load Balancing: list up to 10 load balancers',
    description: [
      'Lists the name and DNS name of up to 10 load balancers in the Region: on the local',
      'cloud (it must be running: `resilient local start`) or in your AWS account.',
    ],
    options: ['target', 'region', 'state-dir', 'no-color'],
    examples: ['resilient hello', 'resilient hello --target aws --region eu-west-1'],
    load: () => import('./commands/hello.ts'),
  },
  {
    name: 'local start',
    summary: 'start the local cloud daemon in the background',
    description: [
      'Starts the local cloud: an AWS-compatible endpoint that runs instances, load balancers',
      'and Auto Scaling as real processes on this machine. Its files (endpoint, admin',
      'credentials, state, logs) are in <state-dir>/local/.',
    ],
    options: ['state-dir', 'time-scale', 'port', 'no-color'],
    examples: ['resilient local start', 'resilient local start --time-scale 0.1 --port 4566'],
    load: () => import('./commands/local.ts'),
  },
  {
    name: 'local stop',
    summary: 'stop the local cloud daemon (its resources are kept and restored at the next start)',
    description: ['Stops the local cloud whose files are in <state-dir>/local/.'],
    options: ['state-dir', 'no-color'],
    examples: ['resilient local stop'],
    load: () => import('./commands/local.ts'),
  },
  {
    name: 'local status',
    summary: 'is the local cloud running, and where',
    description: [
      'Shows whether the local cloud in <state-dir>/local/ is running, its endpoint and its process.',
      'Exits 1 when it is not running (with --json: always 0, see "running").',
    ],
    options: ['state-dir', 'json', 'no-color'],
    examples: ['resilient local status', 'resilient local status --json'],
    load: () => import('./commands/local.ts'),
  },
  ...FAULT_COMMANDS,
  {
    name: 'server',
    summary: 'run the recommendation web server (what each instance runs)',
    description: [
      'Serves GET / (a recommendation from the table named by an SSM parameter) and',
      'GET /healthcheck. Configured by RESILIENT_* environment variables (see USAGE.md);',
      'stops gracefully on SIGTERM or Ctrl+C.',
    ],
    options: ['port', 'host', 'no-color'],
    examples: ['resilient server --port 8080', 'resilient server --port 80 --host 0.0.0.0'],
    environment: [
      [SERVER_ENV.port, 'port when --port is not given (default 80)'],
      [SERVER_ENV.host, 'address when --host is not given (default 0.0.0.0)'],
      [
        SERVER_ENV.tableParameter,
        `SSM parameter naming the table (default ${DEFAULT_PARAMETER_NAMES.table})`,
      ],
      [SERVER_ENV.failureResponseParameter, 'SSM parameter: none | static (default the seed name)'],
      [SERVER_ENV.healthCheckParameter, 'SSM parameter: shallow | deep (default the seed name)'],
      [SERVER_ENV.parameterTtlMs, 'how long parameter values are cached, ms (default 1500)'],
      [
        SERVER_ENV.itemTtlMs,
        'how long a table item is served again, ms (default: the parameter TTL; 0 = every request)',
      ],
      [SERVER_ENV.dependencyTimeoutMs, 'timeout of each SSM, DynamoDB and IMDS call, ms (default 2000)'],
      [SERVER_ENV.drainTimeoutMs, 'how long SIGTERM waits for requests in flight, ms (default 10000)'],
      [SERVER_ENV.log, 'info (one JSON line per request) | off'],
      ['AWS_REGION, AWS_ENDPOINT_URL, ...', "the AWS SDK's own settings and credential chain"],
    ],
    load: () => import('./commands/server.ts'),
  },
  {
    name: 'config get',
    summary: 'print one setting',
    args: '<key>',
    positionals: { min: 1, max: 1 },
    description: [
      'Prints the stored value of a setting (target, region, name, timeScale), or nothing if unset.',
    ],
    options: ['no-color'],
    examples: ['resilient config get target'],
    load: () => import('./commands/config.ts'),
  },
  {
    name: 'config set',
    summary: 'store a default for later runs',
    args: '<key> <value>',
    positionals: { min: 2, max: 2 },
    description: [
      'Stores a default: target (local|aws), region, name, timeScale. Flags still win over',
      'settings, and settings over built-in defaults.',
    ],
    options: ['no-color'],
    examples: ['resilient config set target aws', 'resilient config set region eu-west-1'],
    load: () => import('./commands/config.ts'),
  },
  {
    name: 'config unset',
    summary: 'forget a stored setting',
    args: '<key>',
    positionals: { min: 1, max: 1 },
    description: ['Removes a stored setting, so the built-in default applies again.'],
    options: ['no-color'],
    examples: ['resilient config unset region'],
    load: () => import('./commands/config.ts'),
  },
  {
    name: 'config list',
    summary: 'print every setting and where the settings file is',
    description: ['Prints every setting with its effective value and whether it is stored or a default.'],
    options: ['json', 'no-color'],
    examples: ['resilient config list', 'resilient config list --json'],
    load: () => import('./commands/config.ts'),
  },
  {
    name: 'prompt-demo',
    summary: 'development helper: show the demo menu and answer with what was chosen',
    description: ['Shows the demo menu and a confirmation, for trying the prompts in a terminal.'],
    options: ['yes', 'no-color'],
    examples: ['resilient prompt-demo'],
    hidden: true,
    load: () => import('./commands/prompt-demo.ts'),
  },
];

/** Command groups: `local`, `local fault` and `config` take a subcommand. */
export const GROUPS: Readonly<Record<string, string>> = {
  local: 'the local cloud daemon',
  'local fault': 'fault injection on the local cloud, for drills and tests',
  config: 'settings that persist between runs',
  drill: 'experiments as code: run or check an experiment file',
};

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** The words that may follow `resilient <group>`: its commands and its subgroups, once each. */
export function groupChildren(group: string): string[] {
  const prefix = `${group} `;
  const names = [...COMMANDS.filter((c) => c.hidden !== true).map((c) => c.name), ...Object.keys(GROUPS)];
  const words = names
    .filter((n) => n.startsWith(prefix))
    .map((n) => n.slice(prefix.length).split(' ')[0] ?? '');
  return [...new Set(words)];
}
