/** The whole TUI in a real terminal: tmux sessions of a given size on a server of their own. */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const root = new URL('../..', import.meta.url).pathname;

export interface Terminals {
  /** Starts `npm run tui`'s command in a session of this size; it prints its exit code when it ends. */
  start(session: string, columns: number, rows: number, env: { url: string; token: string }): void;
  screen(session: string): string;
  /** Resolves with the screen once it shows the pattern; fails with the screen after 20 s (a loaded machine starts the TUI slowly). */
  showing(session: string, pattern: RegExp, timeoutMs?: number): Promise<string>;
  keys(session: string, ...keys: string[]): void;
  close(): void;
}

export function terminals(): Terminals {
  const socket = `mms-test-${randomBytes(4).toString('hex')}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  const screen = (session: string) => tmux('capture-pane', '-p', '-t', session);
  return {
    start(session, columns, rows, { url, token }) {
      const command = [
        `cd ${root}`,
        `MMS_URL=${url} MMS_TOKEN=${token} ${process.execPath} --import tsx tui/main.tsx`,
        'echo "exited with $?"',
        'sleep 60',
      ].join('; ');
      tmux('new-session', '-d', '-s', session, '-x', String(columns), '-y', String(rows), command);
    },
    screen,
    async showing(session, pattern, timeoutMs = 20_000) {
      for (const started = Date.now(); Date.now() - started < timeoutMs; ) {
        const shown = screen(session);
        if (pattern.test(shown)) return shown;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`the terminal never showed ${pattern}:\n${screen(session)}`);
    },
    keys(session, ...keys) {
      tmux('send-keys', '-t', session, ...keys);
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
