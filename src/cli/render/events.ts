/**
 * One function per run event kind: the texts of the seed (spec "Deploy", "Demo", "Destroy" and the
 * article), corrected where they were wrong. Waits get a spinner with the elapsed time and the
 * deadline on a terminal, and one start line plus one end line elsewhere.
 */
import type { RunEvent } from '../../events.ts';
import type { Io } from '../io.ts';
import { renderGetResult } from './get-result.ts';
import { startWait, type Wait } from './spinner.ts';
import { STEP_TEXTS } from './step-texts.ts';
import { renderTargetHealth } from './target-health.ts';
import { RULE } from './text.ts';
import { renderObservation } from './verification.ts';
import { wrap } from './wrap.ts';

type EventOf<T extends RunEvent['type']> = Extract<RunEvent, { type: T }>;

export interface Renderer {
  emit(event: RunEvent): void;
  /** Prints lines between events (the host's menu texts), keeping the spinner and rule bookkeeping right. */
  print(text: string): void;
  /** The last line printed was a separator rule (so the next block need not start with one). */
  atRule(): boolean;
  /** Ends any spinner (before a prompt, or at the end). */
  settle(): void;
}

const KIND_LABEL: Readonly<Record<string, string>> = {
  table: 'DynamoDB table',
  parameter: 'SSM parameter',
  policy: 'IAM policy',
  role: 'IAM role',
  'instance-profile': 'instance profile',
  'launch-template': 'launch template',
  'auto-scaling-group': 'Auto Scaling group',
  'target-group': 'target group',
  'load-balancer': 'load balancer',
  listener: 'listener',
  'ingress-rule': 'security group rule',
};

/** `creatingTable` → "creating table". */
export function humanStep(step: string): string {
  return step.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

export function createRenderer(io: Io): Renderer {
  const { style } = io;
  /** The spinner of the current wait, and what it waits for. */
  let wait: { what: string; spinner: Wait; kind: 'step' | 'wait'; step: string | undefined } | undefined;
  /**
   * Steps in flight. A wait that starts while exactly one is in flight belongs to it, and only that
   * step's end may say "Done"; in parallel phases (destroy) a wait cannot be attributed, so it ends
   * without a claim.
   */
  const inFlight = new Set<string>();
  /** Steps whose introduction has been printed (retries and resumes do not repeat it). */
  const introduced = new Set<string>();
  const lastRetryReason = new Map<string, string>();
  let lastLine = '';
  const rule = style.dim(RULE);

  /** Print whole lines; on a terminal the spinner line is cleared first and redrawn by its next tick. */
  const print = (text: string): void => {
    if (wait !== undefined && io.isTTY) io.out.write('\r\x1b[K');
    io.line(text);
    lastLine = text.split('\n').at(-1) ?? '';
  };

  /** done: its step finished; failed: the run reported an error; quiet: something else moved on. */
  const endWait = (how: 'done' | 'failed' | 'quiet'): void => {
    if (wait === undefined) return;
    const w = wait;
    wait = undefined;
    if (w.kind === 'step' || how === 'quiet') w.spinner.stop();
    else if (how === 'done') w.spinner.succeed(`Done: ${w.what}`);
    else w.spinner.fail(`Stopped waiting for ${w.what}`);
  };

  const handlers: { [T in RunEvent['type']]: (e: EventOf<T>) => void } = {
    phase: (e) => {
      endWait('quiet');
      // The demo phase announces itself with its first stage banner.
      if (e.phase === 'deploy') print(style.bold('Deploying resources...'));
      if (e.phase === 'destroy') {
        print(style.dim(RULE));
        print(style.bold('Destroying everything this run created...'));
      }
    },
    'step-started': (e) => {
      inFlight.add(e.step);
      const text = STEP_TEXTS[e.step];
      if (text !== undefined && !introduced.has(e.step)) {
        introduced.add(e.step);
        endWait('quiet');
        print('');
        print(wrap(text));
      }
      // Only a terminal gets a spinner for every step; logs get the result lines instead.
      if (!io.isTTY || wait?.kind === 'wait') return;
      endWait('quiet');
      const what = humanStep(e.step) + (e.attempt > 0 ? ` (attempt ${e.attempt + 1})` : '');
      wait = { what, spinner: startWait(io, { what, verb: '' }), kind: 'step', step: e.step };
    },
    'step-finished': (e) => {
      inFlight.delete(e.step);
      if (wait !== undefined && (wait.kind === 'step' || wait.step === e.step)) endWait('done');
    },
    'step-retrying': (e) => {
      const text = `${humanStep(e.step)}: ${e.reason || 'retrying'}; next try in ${(e.delayMs / 1000).toFixed(1)}s`;
      if (wait !== undefined && io.isTTY) {
        wait.spinner.update(e.reason || 'retrying');
        return;
      }
      // In logs, a wait already has its line; otherwise one line per new reason (a repeated poll is not news).
      if (wait?.kind === 'wait' || lastRetryReason.get(e.step) === e.reason) return;
      lastRetryReason.set(e.step, e.reason);
      print(style.dim(`  ${text}`));
    },
    'wait-progress': (e) => {
      if (wait?.kind === 'wait' && wait.what === e.what) {
        wait.spinner.update(e.detail);
        return;
      }
      endWait('quiet');
      const deadlineMs = Math.max(0, e.deadline - Date.now());
      wait = {
        what: e.what,
        spinner: startWait(io, { what: e.what, deadlineMs }),
        kind: 'wait',
        step: inFlight.size === 1 ? [...inFlight][0] : undefined,
      };
      wait.spinner.update(e.detail);
    },
    resource: (e) => {
      const label = KIND_LABEL[e.kind] ?? e.kind;
      const id = e.id === undefined || e.id === e.name ? '' : style.dim(` (${e.id})`);
      const text =
        e.action === 'created'
          ? `${style.green('+')} Created ${label} ${e.name}${id}`
          : e.action === 'adopted'
            ? `${style.cyan('=')} Found ${label} ${e.name}${id} (created earlier: reused)`
            : e.action === 'deleted'
              ? `${style.red('-')} Deleted ${label} ${e.name}${id}`
              : `${style.dim('-')} ${label} ${e.name} was already gone`;
      print(text);
    },
    info: (e) => print(e.message),
    warning: (e) => print(`${style.yellow('warning:')} ${e.message}`),
    stage: (e) => {
      endWait('quiet');
      print(style.dim(RULE));
      print(style.bold(`Stage ${e.stage}: ${e.title}`));
      print('');
      print(wrap(e.text));
      print('');
      // A stage's change and its observation are one long step on the run's side: keep a terminal alive.
      if (io.isTTY) {
        const what = `stage ${e.stage} to take effect`;
        wait = { what, spinner: startWait(io, { what }), kind: 'step', step: undefined };
      }
    },
    endpoint: (e) => {
      endWait('quiet');
      print('Your load balancer is ready. You can access it by browsing to:');
      print('');
      print(`        ${style.cyan(e.url)}`);
      print('');
    },
    'get-result': (e) => {
      endWait('quiet');
      print(renderGetResult(e.url, e.result, style));
    },
    'target-health': (e) => {
      endWait('quiet');
      print(renderTargetHealth(e.targets, style));
    },
    observation: (e) => {
      endWait('quiet');
      print(renderObservation(e, style));
    },
    sweep: (e) => {
      endWait('quiet');
      if (e.found.length === 0)
        print(`${style.green('✓')} Swept by tag and name: nothing of this deployment is left.`);
      else
        print(
          `${style.yellow('!')} The sweep by tag and name found ${e.found.length} more: ${e.found.join(', ')}`,
        );
    },
    error: (e) => {
      endWait('failed');
      print(`${style.red('error:')} ${e.message}`);
      if (e.hint !== undefined) print(style.dim(e.hint));
    },
    'run-finished': (e) => {
      endWait('quiet');
      if (e.outcome === 'succeeded') {
        print(style.dim(RULE));
        print('Thanks for watching!');
        print(style.dim(RULE));
      }
    },
    // Samples are data for the journal and the live view; the terminal shows their verdicts instead.
    'probe-sample': () => {},
    'health-sample': () => {},
    action: (e) => {
      if (e.outcome === 'done') return;
      endWait('quiet');
      print(
        `${style.yellow('!')} ${e.phase === 'rollback' ? 'Rollback' : 'Action'} ${e.action} failed: ${e.error ?? e.detail}`,
      );
    },
    expectation: (e) => {
      // A stage's one verdict (`verdict: stage`, the seven stages) is shown by its `observation`.
      if (e.scope === 'stage' && e.name.startsWith(`Stage ${e.stage}:`)) return;
      endWait('quiet');
      const mark = e.pass ? style.green('PASS') : style.red('FAIL');
      const where =
        e.scope === 'stage'
          ? `stage ${e.stage}`
          : `steady state ${e.scope === 'hypothesis-before' ? 'before' : 'after'} the method`;
      print(`${mark} ${where}: ${e.name}: ${e.seen}`);
    },
    'stop-condition': (e) => {
      endWait('quiet');
      print(`${style.red('stop:')} ${e.name} held (${e.seen}); aborting the method and rolling back.`);
    },
    experiment: () => {},
  };

  return {
    emit: (event) => {
      (handlers[event.type] as (e: RunEvent) => void)(event);
    },
    print,
    atRule: () => lastLine === rule,
    settle: () => endWait('quiet'),
  };
}
