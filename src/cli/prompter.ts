/**
 * Questions to a person, behind a small interface so the rest of the CLI never sees enquirer.
 *
 * enquirer 2.4.1 does not detect a missing terminal (docs/architecture.md#prompts-and-terminals, verified): with stdin at
 * /dev/null its promise never settles, a silent pipe hangs for ever, and a pipe that reaches EOF
 * crashes with ERR_USE_AFTER_CLOSE on Node 24. So we decide: prompts are shown only when stdin and
 * stdout are terminals and `CI` is unset; otherwise `--yes` answers with each question's default,
 * and without `--yes` the question fails at once with USAGE, naming the flag to pass.
 */
import type EnquirerType from 'enquirer';
import { ResilientError } from '../errors.ts';

export interface Choice<T extends string> {
  readonly value: T;
  readonly label: string;
}

interface Question {
  /** Stable id (tests answer by name). */
  readonly name: string;
  readonly message: string;
  /** The flag that answers this question without a terminal, e.g. `--yes`. */
  readonly flag: string;
  /**
   * Aborted (a Ctrl+C that interrupts the run): the prompt is closed and the question rejects with
   * the signal's reason at once, whether or not enquirer's own promise ever settles.
   */
  readonly signal?: AbortSignal | undefined;
}

/** The part of an enquirer prompt the prompter closes when its question's signal aborts. */
interface OpenPrompt {
  readonly state: { readonly closed?: boolean };
  cancel(): Promise<void>;
}

export interface Prompter {
  confirm(q: Question & { readonly initial: boolean }): Promise<boolean>;
  select<T extends string>(
    q: Question & { readonly choices: readonly Choice<T>[]; readonly initial: T },
  ): Promise<T>;
  input(
    q: Question & { readonly initial: string; readonly validate?: (v: string) => string | true },
  ): Promise<string>;
}

export interface PrompterOptions {
  /** Both stdin and stdout are terminals and CI is unset (see `isInteractiveProcess`). */
  readonly interactive: boolean;
  /** `--yes`: every question takes its default without being shown. */
  readonly yes: boolean;
  /** An enquirer instance; tests pass `new Enquirer({ show: false })` and answer through its events. */
  readonly enquirer?: EnquirerType;
  /** The command, for the hint (`run resilient start --help`). */
  readonly command?: string;
  /** false: prompts without colour (NO_COLOR, --no-color). */
  readonly color?: boolean;
}

export function needsAnswerError(q: Question, command: string | undefined): ResilientError {
  return new ResilientError(
    'USAGE',
    `"${q.message.split('\n')[0]}" needs an answer, and there is no terminal to ask on: pass ${q.flag}`,
    {
      hint: `${q.flag} answers every question with its default; run resilient ${command === undefined ? '' : `${command} `}--help`,
    },
  );
}

/** enquirer rejects with '' (not an Error) when a prompt is cancelled (Ctrl+C, Esc) on Node < 24.2. */
function cancelled(): ResilientError {
  return new ResilientError('INTERRUPTED', 'Cancelled.', {
    hint: 'nothing in flight was lost: `resilient resume` continues, `resilient destroy` tears down',
  });
}

/**
 * enquirer's select focuses choice N on key N counting from 0; the seed's menu is numbered from 1,
 * so key "1" must mean the first choice.
 */
async function numberedSelectClass(): Promise<unknown> {
  const { default: Enquirer } = await import('enquirer');
  const Select = (Enquirer as unknown as { Select: new (o: object) => object }).Select;
  return class NumberedSelect extends Select {
    number(key: string): unknown {
      const self = this as unknown as {
        choices: unknown[];
        index: number;
        alert(): unknown;
        render(): unknown;
      };
      const i = Number(key) - 1;
      if (!Number.isInteger(i) || i < 0 || i >= self.choices.length) return self.alert();
      self.index = i;
      return self.render();
    }
  };
}

/**
 * After Ctrl+C at a prompt, enquirer 2.4.1 leaves the terminal raw, on every Node: readline closes its
 * interface on Ctrl+C (raw mode off), then enquirer's cleanup restores the mode it saw after creating
 * that interface, which was raw (verified with `stty -a` in tmux). A raw terminal turns the next Ctrl+C
 * into a byte nobody reads instead of a SIGINT, so the run's second Ctrl+C would not quit. Every
 * question ends with the terminal cooked, as enquirer's own close leaves it after an answer.
 */
function giveTerminalBack(): void {
  const stdin = process.stdin;
  if (stdin.isTTY && stdin.isRaw) stdin.setRawMode(false);
}

export function createPrompter(options: PrompterOptions): Prompter {
  let instance: EnquirerType | undefined = options.enquirer;

  async function enquirer(): Promise<EnquirerType> {
    if (instance === undefined) {
      // enquirer colours through ansi-colors, which reads only FORCE_COLOR=0, once, when first loaded.
      if (options.color === false) process.env['FORCE_COLOR'] = '0';
      const { default: Enquirer } = await import('enquirer');
      instance = new Enquirer();
    }
    return instance;
  }

  async function ask<T>(
    q: Question & { readonly initial: T },
    question: Record<string, unknown>,
  ): Promise<T> {
    if (options.yes) return q.initial;
    if (!options.interactive) throw needsAnswerError(q, options.command);
    const e = await enquirer();
    if (question['type'] === 'numbered') {
      (e as unknown as { register(type: string, fn: unknown): void }).register(
        'numbered',
        await numberedSelectClass(),
      );
    }
    const signal = q.signal;
    if (signal?.aborted === true) throw signal.reason;
    // enquirer announces the prompt it builds (its 'prompt' event): the one to close on abort.
    let open: OpenPrompt | undefined;
    const onPrompt = (prompt: OpenPrompt): void => {
      open = prompt;
    };
    e.on('prompt', onPrompt);
    const answered = e.prompt({ name: q.name, message: q.message, ...question } as Parameters<
      EnquirerType['prompt']
    >[0]) as Promise<Record<string, unknown>>;
    let release = (): void => {};
    // The race: enquirer's promise against the signal. On Node >= 24.2 a Ctrl+C at the prompt leaves
    // enquirer's promise pending for ever (see guardPromptCtrlC), so the signal must be able to win.
    const aborted = new Promise<never>((_, reject) => {
      if (signal === undefined) return;
      const onAbort = (): void => {
        // Closing the prompt gives the terminal back (raw mode off, keypress listener and readline
        // gone, stdin paused): a second Ctrl+C is a SIGINT again, and nothing keeps the process alive.
        // A prompt enquirer closed itself (Ctrl+C on Node >= 24.2) is not closed twice.
        if (open !== undefined && open.state.closed !== true) open.cancel().catch(() => {});
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      release = () => signal.removeEventListener('abort', onAbort);
    });
    // The loser of the race must not become an unhandled rejection.
    answered.catch(() => {});
    try {
      const answers = await Promise.race([answered, aborted]);
      return answers[q.name] as T;
    } catch (error: unknown) {
      if (error === '' || error === undefined) throw cancelled();
      throw error;
    } finally {
      release();
      e.off('prompt', onPrompt);
      giveTerminalBack();
    }
  }

  return {
    confirm: (q) =>
      ask(q, {
        type: 'confirm',
        initial: q.initial,
        // enquirer shows the pending default as "‣ true"; the (Y/n) hint already says it. Echo yes/no once answered.
        format(this: { state: { submitted: boolean } }, value: boolean): string {
          return this.state.submitted ? (value ? 'yes' : 'no') : '';
        },
      }),
    select: async (q) => {
      // enquirer answers with the choice's name and echoes it after submit: make it the numbered label.
      const named = q.choices.map((c, i) => ({ name: `${i + 1}. ${c.label}`, value: c.value }));
      const picked = await ask<string>(
        { ...q, initial: named.find((c) => c.value === q.initial)?.name ?? '' },
        {
          type: 'numbered',
          choices: named.map((c) => ({ name: c.name })),
          initial: Math.max(
            0,
            named.findIndex((c) => c.value === q.initial),
          ),
        },
      );
      const choice = named.find((c) => c.name === picked || c.value === picked);
      if (choice === undefined) throw new ResilientError('INTERNAL', `unexpected menu answer '${picked}'`);
      return choice.value;
    },
    input: (q) =>
      ask(q, {
        type: 'input',
        initial: q.initial,
        ...(q.validate === undefined ? {} : { validate: q.validate }),
      }),
  };
}
