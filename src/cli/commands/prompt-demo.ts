/**
 * Hidden development command: the real demo menu and destroy confirmation (through the same host
 * the run uses), with no cloud behind them, so the prompts can be tried — and tested under tmux —
 * on their own.
 */
import type { CommandContext } from '../commands.ts';
import { createHost } from '../host.ts';
import { guardPromptCtrlC } from '../interrupt.ts';
import { createPrompter } from '../prompter.ts';

export async function run({ io, values, command }: CommandContext): Promise<void> {
  const release = guardPromptCtrlC(io);
  try {
    const host = createHost(
      io,
      createPrompter({
        interactive: io.interactive,
        yes: values.yes === true,
        command,
        color: io.style.enabled,
      }),
    );
    for (;;) {
      const answer = await host.ask({ kind: 'demo-menu', stage: 1, defaultAnswer: 'next' });
      const choice = answer.kind === 'demo-menu' ? answer.choice : 'next';
      io.line(`chose: ${choice}`);
      if (choice === 'next') break;
    }
    const answer = await host.ask({ kind: 'confirm-destroy', defaultAnswer: true });
    io.line(`destroy: ${answer.kind === 'confirm-destroy' && answer.yes ? 'yes' : 'no'}`);
  } finally {
    release();
  }
}
