/** Runs the project's commands as real child processes and reads what they print. */
import { type ChildProcess, spawn } from 'node:child_process';

const root = new URL('../..', import.meta.url).pathname;

export interface Running {
  child: ChildProcess;
  stdout: string[];
  stderr: () => string;
  /**
   * Resolves with the first stdout line (from `from` on) that satisfies the predicate. Stdout carries the
   * start-up lines and the log (JSON lines); stderr only what stops a start.
   */
  line(predicate: (line: string) => boolean, timeoutMs?: number, from?: number): Promise<string>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export function run(
  script: string,
  args: string[],
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Running {
  const child = spawn(process.execPath, [...nodeArgs, `${root}${script}`, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  let stderr = '';
  let partial = '';
  const waiters = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    stdout.push(...lines);
    for (const wake of waiters) wake();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const wake of waiters) wake();
  });
  // 'close', not 'exit': only then has everything the process printed been read.
  let closed = false;
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      closed = true;
      for (const wake of waiters) wake();
      resolve(code);
    }),
  );
  return {
    child,
    stdout,
    stderr: () => stderr,
    exited,
    line(predicate, timeoutMs = 15_000, from = 0) {
      return waitFor(() => stdout.slice(from).find(predicate), timeoutMs);
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };

  function waitFor(find: () => string | undefined, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        waiters.delete(check);
        clearTimeout(timer);
        reject(
          new Error(`${why}; stdout: ${stdout.join('\n').slice(-2000)}; stderr: ${stderr.slice(-2000)}`),
        );
      };
      const check = () => {
        const found = find();
        if (found !== undefined) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        } else if (closed) {
          // It will print nothing more: waiting out the timeout would only hide why.
          fail(`exited with code ${child.exitCode} before printing a matching line`);
        }
      };
      const timer = setTimeout(() => fail(`no matching line in ${timeoutMs} ms`), timeoutMs);
      waiters.add(check);
      check();
    });
  }
}
