/**
 * A real terminal for the CLI: a detached tmux session on its own server socket (so it never touches
 * anyone else's tmux), driven with send-keys and read with capture-pane. Every wait has a deadline.
 * `useTmux` is a test file's set-up: one session at a time, killed after each test.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterEach } from 'vitest';
import { baseEnv, ROOT } from './cli.ts';
import { until } from './poll.ts';

export interface TmuxSession {
  /** Sends keys as tmux names them ('1', 'Enter', 'C-c'). */
  send(...keys: string[]): void;
  /** The visible screen as text (with `escapes`: with its colour and attribute sequences). */
  screen(escapes?: boolean): string;
  /** Polls the screen until `pattern` appears; throws with the screen after `deadlineMs`. */
  waitFor(pattern: RegExp, deadlineMs?: number): Promise<string>;
  /** Everything the session printed (scroll-back included), wrapped lines joined. */
  history(): string;
  /** Polls the history until `text` appears `count` times; throws with its end after `deadlineMs`. */
  waitForCount(text: string, count: number, deadlineMs?: number): Promise<string>;
  kill(): void;
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export function startTmux(
  command: readonly string[],
  env: Readonly<Record<string, string>>,
  cwd: string,
): TmuxSession {
  const socket = `resilient-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const tmux = (...args: string[]): string =>
    execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  // The pane inherits the tmux server's environment, which is this test process's (with CI=true in CI,
  // which would rightly make the CLI refuse to prompt): unset what `env` leaves out, so the pane sees
  // exactly `env`. TERM stays as tmux sets it for the pane.
  const unset = Object.keys(process.env)
    .filter((k) => !(k in env) && k !== 'TERM')
    .map((k) => `-u ${quote(k)}`);
  const assign = Object.entries(env)
    .filter(([k]) => k !== 'TERM')
    .map(([k, v]) => `${k}=${quote(v)}`);
  const envPart = [...unset, ...assign].join(' ');
  // The shell reports the exit code on screen, then keeps the pane open long enough to be read.
  const line = `cd ${quote(cwd)} && env ${envPart} ${command.map(quote).join(' ')}; echo "EXIT=$?"; sleep 60`;
  // The scroll-back limit applies to panes created after it is set: set it first, in the same server.
  tmux(
    'start-server',
    ';',
    'set-option',
    '-g',
    'history-limit',
    '50000',
    ';',
    'new-session',
    '-d',
    '-s',
    'cli',
    '-x',
    '120',
    '-y',
    '40',
    line,
  );
  // kill-server leaves the socket file behind: remember where it is to remove it.
  const socketPath = tmux('display-message', '-p', '#{socket_path}').trim();
  const session: TmuxSession = {
    send: (...keys) => {
      tmux('send-keys', '-t', 'cli', ...keys);
    },
    screen: (escapes = false) => tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', 'cli'),
    waitFor: (pattern, deadlineMs = 15_000) =>
      until(
        `the screen to match ${pattern}`,
        () => {
          const text = session.screen();
          return pattern.test(text) ? text : undefined;
        },
        { deadlineMs, intervalMs: 50, detail: () => session.screen() },
      ),
    history: () => tmux('capture-pane', '-p', '-J', '-S', '-', '-t', 'cli'),
    waitForCount: async (text, count, deadlineMs = 60_000) => {
      const deadline = Date.now() + deadlineMs;
      for (;;) {
        const all = session.history();
        if (all.split(text).length - 1 >= count) return all;
        if (/EXIT=\d+/.test(all) || Date.now() > deadline) {
          throw new Error(`never saw ${JSON.stringify(text)} ${count} times:\n${all.slice(-4000)}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    kill: () => {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
      if (socketPath !== '') rmSync(socketPath, { force: true });
    },
  };
  return session;
}

/** What a user's terminal gives the CLI: its config dir, a colour terminal and HOME, nothing else. */
export function terminalEnv(configDir: string): Record<string, string> {
  return {
    RESILIENT_CONFIG_DIR: configDir,
    TERM: 'xterm-256color',
    HOME: baseEnv(configDir)['HOME'] ?? '/tmp',
  };
}

export interface TmuxSessions {
  /** Starts `command` in a session in the repo's root, killing the one before. */
  open(command: readonly string[], env: Readonly<Record<string, string>>): TmuxSession;
}

/** Registers an `afterEach` that kills the test's session: call it at the top level of the test file. */
export function useTmux(): TmuxSessions {
  let current: TmuxSession | undefined;
  afterEach(() => {
    current?.kill();
    current = undefined;
  });
  return {
    open: (command, env) => {
      current?.kill();
      current = startTmux(command, env, ROOT);
      return current;
    },
  };
}
