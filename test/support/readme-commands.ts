/**
 * The shell commands of the README, and a way to run one of them as a user would: in the project's folder,
 * through bash, with the settings a test needs in its environment (a database and port of its own).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../server/config.ts';

export const README = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');

/** The fenced code blocks of one language, in order. */
export function codeBlocks(language: string): string[] {
  return [...README.matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\``, 'gm'))].map(
    (match) => match[1] as string,
  );
}

/** Every command line of the README's `sh` blocks, without its comment. */
export function readmeCommands(): string[] {
  return codeBlocks('sh').flatMap((block) =>
    block
      .split('\n')
      .map((line) => line.replace(/#.*$/, '').trim())
      .filter(Boolean),
  );
}

export interface ShellCommand {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves once stdout or stderr has a line matching, or rejects after the timeout. */
  printed(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<number | null>;
  /** Stops the command and everything it started (npm, node). */
  stop(): Promise<void>;
}

/** Runs a command line in bash, in a process group of its own, in the project's folder. */
export function runShell(command: string, env: Record<string, string>): ShellCommand {
  const child = spawn('bash', ['-c', command], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const listener of listeners) listener();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const listener of listeners) listener();
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    printed(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const look = () => {
          const line = `${stdout}\n${stderr}`.split('\n').find((l) => pattern.test(l));
          if (line === undefined) return;
          listeners.delete(look);
          clearTimeout(timer);
          resolve(line);
        };
        const timer = setTimeout(() => {
          listeners.delete(look);
          reject(new Error(`"${command}" printed nothing matching ${pattern}:\n${stdout}\n${stderr}`));
        }, timeoutMs);
        listeners.add(look);
        look();
        void exited.then(() => setTimeout(look, 0));
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-(child.pid as number), 'SIGTERM');
        } catch {
          // Gone already.
        }
      }
      await exited;
    },
  };
}
