/**
 * The questions `resilient` asks, with the seed's wording (spec "Deploy", "Demo", "Destroy").
 * Each has a default (what --yes answers) and names the flag that answers it without a terminal.
 */
import type { Choice, Prompter } from './prompter.ts';

export type MenuAction = 'get' | 'health' | 'next';

export const MENU_INTRO = 'See the current state of the service by selecting one of the following choices:';

export const MENU_CHOICES: readonly Choice<MenuAction>[] = [
  { value: 'get', label: 'Send a GET request to the load balancer endpoint.' },
  { value: 'health', label: 'Check the health of load balancer targets.' },
  { value: 'next', label: 'Go to the next part of the demo.' },
];

/**
 * The demo menu shown after each stage; arrows or the digits 1–3, then Enter. The default is "next",
 * so that answering every question with its default (--yes) always moves forward.
 */
export function askMenu(prompter: Prompter): Promise<MenuAction> {
  return prompter.select({
    name: 'menu',
    message: 'Which action would you like to take?',
    choices: MENU_CHOICES,
    initial: 'next',
    flag: '--yes',
  });
}

/** Spec "Introduction": the seed pauses ("Press Enter…"); a yes/no lets the user stop before anything exists. */
export function askStartDeploy(prompter: Prompter): Promise<boolean> {
  return prompter.confirm({
    name: 'deploy',
    message: 'Ready to start deploying resources?',
    initial: true,
    flag: '--yes',
  });
}

/** Real AWS costs money: ask before creating anything (docs/architecture.md#real-aws). */
export function askAwsCost(prompter: Prompter, account: string, region: string): Promise<boolean> {
  return prompter.confirm({
    name: 'aws-cost',
    message: `Create resources in AWS account ${account}, Region ${region}? They cost money until destroyed.`,
    initial: true,
    flag: '--yes',
  });
}
