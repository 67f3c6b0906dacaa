/**
 * The CLI side of the run API's `Host`: events go to the renderer, questions to the prompter, with
 * the seed's wording around them (the menu intro, the destroy preamble).
 */
import type { Answer, Host, Question } from '../events.ts';
import type { Io } from './io.ts';
import type { Prompter } from './prompter.ts';
import { askMenu, MENU_INTRO } from './questions.ts';
import { createRenderer, type Renderer } from './render/events.ts';
import { RULE } from './render/text.ts';

export interface CliHost extends Host {
  readonly renderer: Renderer;
}

export function createHost(io: Io, prompter: Prompter): CliHost {
  const renderer = createRenderer(io);
  return {
    renderer,
    emit: (event) => renderer.emit(event),
    async ask(question: Question): Promise<Answer> {
      renderer.settle();
      switch (question.kind) {
        case 'demo-menu': {
          if (!renderer.atRule()) renderer.print(io.style.dim(RULE));
          renderer.print(MENU_INTRO);
          renderer.print('');
          return { kind: 'demo-menu', choice: await askMenu(prompter) };
        }
        case 'confirm-destroy': {
          if (!renderer.atRule()) renderer.print(io.style.dim(RULE));
          io.line('This concludes the demo of how to build and manage a resilient service.');
          io.line('To keep things tidy and to avoid unwanted charges on your account, we can clean up all');
          io.line('resources that were created for this demo.');
          const yes = await prompter.confirm({
            name: 'destroy',
            message: 'Do you want to clean up all demo resources?',
            initial: question.defaultAnswer,
            flag: '--yes (or --keep to keep them)',
          });
          if (!yes) io.line('Keeping the resources: remove them later with `resilient destroy`.');
          return { kind: 'confirm-destroy', yes };
        }
        case 'ingress': {
          const yes = await prompter.confirm({
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
