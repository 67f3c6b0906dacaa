import { EventEmitter } from 'node:events';
import Enquirer from 'enquirer';
import { describe, expect, it } from 'vitest';
import { createHost } from '../../src/cli/host.ts';
import { installInterrupt, promptCrashHandler } from '../../src/cli/interrupt.ts';
import { createPrompter } from '../../src/cli/prompter.ts';
import { ResilientError } from '../../src/errors.ts';
import { captureIo } from '../_support/cli.ts';

/** A prompt as enquirer's events hand it to us (the subset these tests drive). */
interface DrivenPrompt {
  name: string;
  once(event: 'run', fn: () => void): void;
  keypress(input: string | null, key?: { name: string }): Promise<void>;
  submit(): Promise<void>;
  cancel(): Promise<void>;
  readonly state: { readonly closed?: boolean };
}

/** An enquirer that renders nothing and answers each prompt (by name) with the given keystrokes. */
function scripted(answers: Record<string, (p: DrivenPrompt) => Promise<void>>): Enquirer {
  const enquirer = new Enquirer({ show: false });
  enquirer.on('prompt', (p: DrivenPrompt) => {
    p.once('run', () => {
      const answer = answers[p.name];
      if (answer !== undefined) void answer(p);
    });
  });
  return enquirer;
}

const menu = { kind: 'demo-menu', stage: 1, defaultAnswer: 'next' } as const;

describe('prompter', () => {
  it('the demo menu answers with the digit pressed, counted from 1 as the seed numbers it', async () => {
    for (const [key, choice] of [
      ['1', 'get'],
      ['2', 'health'],
      ['3', 'next'],
    ] as const) {
      const cap = captureIo({ interactive: true });
      const enquirer = scripted({
        menu: async (p) => {
          await p.keypress(key);
          await p.submit();
        },
      });
      const host = createHost(cap.io, createPrompter({ interactive: true, yes: false, enquirer }));
      expect(await host.ask(menu)).toEqual({ kind: 'demo-menu', choice });
      expect(cap.stdout()).toContain(
        'See the current state of the service by selecting one of the following choices:',
      );
    }
  });

  it('the demo menu moves with the arrow keys', async () => {
    const enquirer = scripted({
      menu: async (p) => {
        await p.keypress(null, { name: 'up' });
        await p.keypress(null, { name: 'up' });
        await p.submit();
      },
    });
    const prompter = createPrompter({ interactive: true, yes: false, enquirer });
    const host = createHost(captureIo({ interactive: true }).io, prompter);
    // The focus starts on "next" (the default); two ups reach "Send a GET request".
    expect(await host.ask(menu)).toEqual({ kind: 'demo-menu', choice: 'get' });
  });

  it('the destroy confirmation follows the seed and takes y or n', async () => {
    for (const [key, yes] of [
      ['y', true],
      ['n', false],
    ] as const) {
      const cap = captureIo({ interactive: true });
      const enquirer = scripted({ destroy: (p) => p.keypress(key) });
      const host = createHost(cap.io, createPrompter({ interactive: true, yes: false, enquirer }));
      const answer = await host.ask({ kind: 'confirm-destroy', defaultAnswer: true });
      expect(answer).toEqual({ kind: 'confirm-destroy', yes });
      expect(cap.stdout()).toContain(
        'This concludes the demo of how to build and manage a resilient service.',
      );
    }
  });

  it('a cancelled prompt (Esc, or Ctrl+C where enquirer rejects with an empty string) is INTERRUPTED, exit 130', async () => {
    const enquirer = scripted({ menu: (p) => p.cancel() });
    const host = createHost(
      captureIo({ interactive: true }).io,
      createPrompter({ interactive: true, yes: false, enquirer }),
    );
    const error = await host.ask(menu).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResilientError);
    expect((error as ResilientError).code).toBe('INTERRUPTED');
  });

  it('--yes answers every question with its default without showing it', async () => {
    const enquirer = scripted({});
    let shown = 0;
    enquirer.on('prompt', () => {
      shown += 1;
    });
    const prompter = createPrompter({ interactive: false, yes: true, enquirer });
    const host = createHost(captureIo().io, prompter);
    expect(await host.ask(menu)).toEqual({ kind: 'demo-menu', choice: 'next' });
    expect(await host.ask({ kind: 'confirm-destroy', defaultAnswer: true })).toEqual({
      kind: 'confirm-destroy',
      yes: true,
    });
    expect(shown).toBe(0);
  });

  it('without a terminal and without --yes, a question fails at once with USAGE naming the flag', async () => {
    const prompter = createPrompter({ interactive: false, yes: false, command: 'start' });
    const error = await prompter
      .confirm({ name: 'x', message: 'Go ahead?', initial: true, flag: '--yes' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResilientError);
    expect((error as ResilientError).code).toBe('USAGE');
    expect((error as ResilientError).message).toContain('pass --yes');
    expect((error as ResilientError).hint).toContain('resilient start --help');
  });
});

/** The run's Ctrl+C on a fake signal source, with the exits it asked for counted. */
function runInterrupt() {
  const source = new EventEmitter();
  const cap = captureIo({ interactive: true });
  const exits: number[] = [];
  const interrupt = installInterrupt(cap.io, {
    firstMessage: 'Stopping after the call in flight.',
    exitNow: () => exits.push(130),
    source: source as unknown as NodeJS.Process,
  });
  return { source, cap, exits, interrupt };
}

const interrupted = (e: unknown): boolean => e instanceof ResilientError && e.code === 'INTERRUPTED';

/** The demo menu on screen (enquirer shows it and waits), asked by a run's host with its Ctrl+C. */
async function menuShown() {
  const run = runInterrupt();
  let shown: DrivenPrompt | undefined;
  const enquirer = scripted({
    menu: async (p) => {
      shown = p;
    },
  });
  const host = createHost(
    run.cap.io,
    createPrompter({ interactive: true, yes: false, enquirer }),
    run.interrupt,
  );
  const asked = host.ask(menu).catch((e: unknown) => e);
  await new Promise((r) => setTimeout(r, 20));
  return { run, host, asked, shown: () => shown };
}

describe("Ctrl+C at the demo menu is the run's first Ctrl+C (the drill rolls back, then the run stops)", () => {
  it('where enquirer rejects (Node < 24.2): the interrupt is requested once, the menu rejects with its reason', async () => {
    const run = runInterrupt();
    const enquirer = scripted({ menu: (p) => p.cancel() });
    const host = createHost(
      run.cap.io,
      createPrompter({ interactive: true, yes: false, enquirer }),
      run.interrupt,
    );
    const error = await host.ask(menu).catch((e: unknown) => e);
    expect(run.interrupt.signal.aborted).toBe(true);
    expect(error).toBe(run.interrupt.signal.reason);
    expect(run.cap.stderr()).toContain('Press Ctrl+C again to quit now.');
    expect(run.exits).toEqual([]);
    // The next Ctrl+C (a SIGINT again, the prompt is gone) quits at once.
    run.source.emit('SIGINT');
    expect(run.exits).toEqual([130]);
    run.interrupt.dispose();
  });

  it("where enquirer's promise never settles (ERR_USE_AFTER_CLOSE, Node >= 24.2): the crash handler hands it to the run, the menu rejects, the prompt is closed", async () => {
    const { run, host, asked, shown } = await menuShown();
    expect(shown()).toBeDefined();
    const codes: number[] = [];
    const crash = Object.assign(new Error('readline was closed'), { code: 'ERR_USE_AFTER_CLOSE' });
    promptCrashHandler(
      run.cap.io,
      (c) => codes.push(c),
      undefined,
      () => host.ctrlCAtPrompt(),
    )(crash);
    expect(codes).toEqual([]);
    expect(interrupted(await asked)).toBe(true);
    expect(run.interrupt.signal.aborted).toBe(true);
    await new Promise((r) => setTimeout(r, 20)); // enquirer closes it after one render
    expect(shown()?.state.closed).toBe(true);
    expect(run.exits).toEqual([]);
    run.interrupt.dispose();
  });

  it('a SIGINT while the menu is shown closes the prompt and rejects with the interrupt, not as a second Ctrl+C', async () => {
    const { run, asked, shown } = await menuShown();
    run.source.emit('SIGINT');
    expect(await asked).toBe(run.interrupt.signal.reason);
    await new Promise((r) => setTimeout(r, 20)); // enquirer closes it after one render
    expect(shown()?.state.closed).toBe(true);
    expect(run.exits).toEqual([]);
    run.interrupt.dispose();
  });

  it('outside the method (the destroy question) Ctrl+C is no interrupt: the crash handler exits 130 at once, a rejection stays INTERRUPTED', async () => {
    const run = runInterrupt();
    const enquirer = scripted({ destroy: (p) => p.cancel() });
    const host = createHost(
      run.cap.io,
      createPrompter({ interactive: true, yes: false, enquirer }),
      run.interrupt,
    );
    const error = await host.ask({ kind: 'confirm-destroy', defaultAnswer: true }).catch((e: unknown) => e);
    expect(interrupted(error)).toBe(true);
    expect(run.interrupt.signal.aborted).toBe(false);
    const codes: number[] = [];
    const crash = Object.assign(new Error('readline was closed'), { code: 'ERR_USE_AFTER_CLOSE' });
    promptCrashHandler(
      run.cap.io,
      (c) => codes.push(c),
      undefined,
      () => host.ctrlCAtPrompt(),
    )(crash);
    expect(codes).toEqual([130]);
    run.interrupt.dispose();
  });
});
