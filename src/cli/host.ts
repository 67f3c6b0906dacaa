/**
 * The CLI side of the run API's `Host`: events go to the renderer, questions to the prompter, with
 * the seed's wording around them (the menu intro, the destroy preamble).
 */

import { ResilientError } from '../errors.ts';
import type { Answer, Host, Question } from '../events.ts';
import type { Io } from './io.ts';
import type { Prompter } from './prompter.ts';
import { askMenu, MENU_INTRO, type MenuAction } from './questions.ts';
import { createRenderer, type Renderer } from './render/events.ts';
import { RULE } from './render/text.ts';

export interface CliHost extends Host {
  readonly renderer: Renderer;
  /**
   * Ctrl+C at the demo menu that enquirer reported as an uncaught ERR_USE_AFTER_CLOSE (Node >= 24.2):
   * true when the menu was open and the keypress became the run's interrupt (`RunInterrupt.request`),
   * false when no menu is open and the caller decides (exit 130 at once).
   */
  ctrlCAtPrompt(): boolean;
}

/** The run's Ctrl+C (`installInterrupt`): its signal, and the same as a SIGINT on demand. */
export interface RunInterrupt {
  readonly signal: AbortSignal;
  request(): void;
}

/**
 * Without `interrupt`, Ctrl+C at any prompt rejects with INTERRUPTED (the caller exits 130). With it,
 * Ctrl+C at the demo menu — the one question asked inside an experiment's method — is the run's first
 * Ctrl+C, as a SIGINT would be: the drill rolls back, the run checkpoints and stops
 * (docs/architecture.md#interrupts). The menu's question then settles only through the signal.
 */
export function createHost(io: Io, prompter: Prompter, interrupt?: RunInterrupt): CliHost {
  const renderer = createRenderer(io);
  let menuOpen = false;
  const toInterrupt = (): boolean => {
    if (interrupt === undefined || !menuOpen) return false;
    menuOpen = false;
    interrupt.request();
    return true;
  };
  // Every question races the run's signal: a SIGINT while a prompt is shown closes it (the terminal
  // is given back, nothing keeps the process alive).
  const signal = interrupt?.signal;
  const asking: Prompter =
    signal === undefined
      ? prompter
      : {
          confirm: (q) => prompter.confirm({ ...q, signal }),
          select: (q) => prompter.select({ ...q, signal }),
          input: (q) => prompter.input({ ...q, signal }),
        };
  const menu = async (): Promise<MenuAction> => {
    menuOpen = true;
    try {
      return await askMenu(asking);
    } catch (error: unknown) {
      // Ctrl+C as enquirer's rejection (Node < 24.2, or Esc): the run's interrupt, whose reason this
      // rejects with; the drive leaves the run to the interrupt's path. A rejection by the signal itself
      // (a SIGINT came first) is not a second Ctrl+C.
      const cancel = error instanceof ResilientError && error.code === 'INTERRUPTED' && !signal?.aborted;
      if (cancel && toInterrupt()) throw signal?.reason;
      throw error;
    } finally {
      menuOpen = false;
    }
  };
  return {
    renderer,
    ctrlCAtPrompt: toInterrupt,
    emit: (event) => renderer.emit(event),
    async ask(question: Question): Promise<Answer> {
      renderer.settle();
      switch (question.kind) {
        case 'demo-menu': {
          if (!renderer.atRule()) renderer.print(io.style.dim(RULE));
          renderer.print(MENU_INTRO);
          renderer.print('');
          return { kind: 'demo-menu', choice: await menu() };
        }
        case 'confirm-destroy': {
          if (!renderer.atRule()) renderer.print(io.style.dim(RULE));
          io.line('This concludes the demo of how to build and manage a resilient service.');
          io.line('To keep things tidy and to avoid unwanted charges on your account, we can clean up all');
          io.line('resources that were created for this demo.');
          const yes = await asking.confirm({
            name: 'destroy',
            message: 'Do you want to clean up all demo resources?',
            initial: question.defaultAnswer,
            flag: '--yes (or --keep to keep them)',
          });
          if (!yes) io.line('Keeping the resources: remove them later with `resilient destroy`.');
          return { kind: 'confirm-destroy', yes };
        }
        case 'ingress': {
          const yes = await asking.confirm({
            name: 'ingress',
            message: `Do you want to add a rule to security group ${question.groupId} to allow inbound traffic on port ${question.port} from your computer's IP address ${question.cidr}?`,
            initial: question.defaultAnswer,
            flag: '--yes',
          });
          return { kind: 'ingress', yes };
        }
      }
    },
  };
}
