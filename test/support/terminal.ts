/**
 * The whole TUI in a real terminal: tmux, on a server of its own per test file. Start the TUI in a
 * session of a given size, type keys, read what the terminal shows, and read the TUI process's CPU time.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

const root = new URL('../..', import.meta.url).pathname;

export interface Terminal {
  tmux(...args: string[]): string;
  /** What the session's screen shows now, one string of lines. */
  screen(session: string): string;
  /** Resolves with the screen once it matches; fails showing the last screen when it never does. */
  screenShowing(
    session: string,
    pattern: RegExp | ((shown: string) => boolean),
    what?: string,
  ): Promise<string>;
  /** Starts `npm run tui` against `url` in a new session of `columns`×`rows`. */
  startTui(session: string, options: { url: string; token: string; columns: number; rows: number }): void;
  /** Keys as tmux names them (Enter, Escape, Down, C-u…), sent in one write. */
  keys(session: string, ...keys: string[]): void;
  /** Text as it is, in one write (a paste, or `jjjj` at once). */
  text(session: string, text: string): void;
  /** CPU seconds (user and system) the TUI process of the session has used. */
  cpuSeconds(session: string): number;
  close(): void;
}

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

export function terminal(): Terminal {
  const socket = `mms-test-${randomBytes(4).toString('hex')}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  const screen = (session: string) => tmux('capture-pane', '-p', '-t', session);
  return {
    tmux,
    screen,
    async screenShowing(session, pattern, what) {
      const matches = typeof pattern === 'function' ? pattern : (shown: string) => pattern.test(shown);
      // 20 s: a loaded machine starts the TUI slowly.
      for (const started = Date.now(); Date.now() - started < 20_000; ) {
        const shown = screen(session);
        if (matches(shown)) return shown;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`the terminal never showed ${what ?? pattern}:\n${screen(session)}`);
    },
    startTui(session, { url, token, columns, rows }) {
      const command = [
        `cd ${root}`,
        // As an operator's shell has it: vitest's NODE_ENV=test would load React's development build.
        'unset NODE_ENV',
        `MMS_URL=${url} MMS_TOKEN=${token} ${process.execPath} --import tsx tui/main.tsx`,
        'echo "exited with $?"',
        'sleep 60',
      ].join('; ');
      tmux('new-session', '-d', '-s', session, '-x', String(columns), '-y', String(rows), command);
    },
    keys(session, ...keys) {
      tmux('send-keys', '-t', session, ...keys);
    },
    text(session, text) {
      tmux('send-keys', '-t', session, '-l', text);
    },
    cpuSeconds(session) {
      const shell = tmux('display-message', '-p', '-t', session, '#{pane_pid}').trim();
      const pid = execFileSync('ps', ['-o', 'pid=', '--ppid', shell], { encoding: 'utf8' })
        .trim()
        .split(/\s+/)[0];
      // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    },
    close() {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
    },
  };
}

/** Every line within the terminal's width and the frame within its height: nothing wrapped or pushed off. */
export function fitsIn(shown: string, columns: number, rows: number): boolean {
  const lines = shown.replace(/\n+$/, '').split('\n');
  return (
    lines.length <= rows &&
    lines.every((line) => [...line].length <= columns) &&
    /^MMS · /.test(lines[0] ?? '')
  );
}
