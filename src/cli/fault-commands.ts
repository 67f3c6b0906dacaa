/**
 * The `local fault …` commands: the local cloud's control route (`/_local/faults`), for drills and
 * tests (docs/local-cloud.md). Kept apart from the main table because they are one family.
 */
import type { CommandSpec } from './command-spec.ts';

const INSTANCE_ARG = { args: '<instance-id>', positionals: { min: 1, max: 1 } } as const;
const loadFault = () => import('./commands/local-fault.ts');
const FAULT_UNDO =
  'Undo with `resilient local fault heal <instance-id>`. Instance ids: `resilient local fault status`.';

export const FAULT_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'local fault crash',
    summary: "kill an instance's process: it becomes impaired and its Auto Scaling group replaces it",
    ...INSTANCE_ARG,
    description: [
      "Kills the instance's web server process, as a crash would. The instance stays running",
      'but fails its EC2 status check (DescribeInstanceStatus: impaired); its target fails',
      'health checks; Auto Scaling takes it out of service and launches a replacement.',
      'A crash is not undone by heal: the instance comes back by reboot or is replaced.',
    ],
    options: ['state-dir', 'no-color'],
    examples: ['resilient local fault crash i-0abc12345def67890'],
    load: loadFault,
  },
  {
    name: 'local fault hang',
    summary: 'make an instance accept connections and never answer',
    ...INSTANCE_ARG,
    description: [
      'From now on the instance accepts connections and never answers: requests through the',
      'load balancer end in 504 after its idle timeout, and health checks time out, so the',
      'target turns unhealthy. Requests already in flight are held too.',
      FAULT_UNDO,
    ],
    options: ['state-dir', 'no-color'],
    examples: [
      'resilient local fault hang i-0abc12345def67890',
      'resilient local fault heal i-0abc12345def67890',
    ],
    load: loadFault,
  },
  {
    name: 'local fault slow',
    summary: 'add a delay before every response of an instance',
    ...INSTANCE_ARG,
    description: [
      'Adds --delay-ms before every response of the instance (requests and health checks).',
      "A delay longer than the target group's health-check timeout makes the target unhealthy;",
      "one longer than the load balancer's idle timeout makes requests end in 504.",
      FAULT_UNDO,
    ],
    options: ['delay-ms', 'state-dir', 'no-color'],
    examples: ['resilient local fault slow i-0abc12345def67890 --delay-ms 1500'],
    load: loadFault,
  },
  {
    name: 'local fault heal',
    summary: 'remove a hang or a delay from an instance',
    ...INSTANCE_ARG,
    description: [
      'The instance answers normally again; health checks see it recover after their healthy',
      'threshold. A crashed instance is not healed this way (reboot it, or let Auto Scaling',
      'replace it).',
    ],
    options: ['state-dir', 'no-color'],
    examples: ['resilient local fault heal i-0abc12345def67890'],
    load: loadFault,
  },
  {
    name: 'local fault api',
    summary: 'throttle or fail a fraction of API calls (--throttle 0 --errors 0 clears)',
    description: [
      "Every API call to the local cloud is refused with the protocol's throttling error",
      '(Throttling, ThrottlingException, RequestLimitExceeded) with probability --throttle, and',
      'fails with a 5xx with probability --errors. SDKs retry both; a caller with few',
      'attempts sees the error. The two rates add up to at most 1; a rate left out is 0.',
    ],
    options: ['throttle', 'errors', 'state-dir', 'no-color'],
    examples: [
      'resilient local fault api --throttle 0.1 --errors 0.02',
      'resilient local fault api --throttle 1',
      'resilient local fault api --throttle 0 --errors 0',
    ],
    load: loadFault,
  },
  {
    name: 'local fault status',
    summary: 'show the API fault rates and every instance with its fault and status',
    description: [
      'Lists the API fault rates and each instance the local cloud has: its state, its EC2',
      'instance status (ok, impaired, initializing) and the fault on it (none, hang, slow).',
    ],
    options: ['state-dir', 'json', 'no-color'],
    examples: ['resilient local fault status', 'resilient local fault status --json'],
    load: loadFault,
  },
];
