/**
 * The place a setting names for a file (the SQLite database, the local credentials): made ready before
 * the file is opened, so that what stands in the way is told in words rather than as a raw errno.
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, parse, resolve } from 'node:path';

/** Why a file cannot be at the place named: the message says what is in the way. */
export class FileLocationError extends Error {}

/**
 * Creates the file's directory when it is missing (readable by the owner only, as data/ is), and refuses a
 * place that is a directory, lies under a file, or is in a directory this process cannot write to.
 */
export function prepareFileLocation(path: string): void {
  const file = resolve(path);
  const kind = kindOf(file);
  if (kind === 'directory') throw new FileLocationError(`${file} is a directory, not a file`);
  if (kind === 'file') return;
  const directory = dirname(file);
  const blocking = fileAmongAncestors(file);
  if (blocking) throw new FileLocationError(`${blocking} is a file, not a directory`);
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    accessSync(directory, constants.W_OK);
  } catch (error) {
    throw new FileLocationError(`cannot create a file in ${directory}: ${(error as Error).message}`);
  }
}

function kindOf(path: string): 'file' | 'directory' | 'missing' | 'unreachable' {
  try {
    const stats = statSync(path, { throwIfNoEntry: false });
    if (!stats) return 'missing';
    return stats.isDirectory() ? 'directory' : 'file';
  } catch {
    // ENOTDIR (a file on the way) or EACCES: told by the caller's next step.
    return 'unreachable';
  }
}

/** The first ancestor of the path, from the root down, that exists and is not a directory. */
function fileAmongAncestors(path: string): string | null {
  const { root } = parse(path);
  const parts = path.slice(root.length).split(/[/\\]/).slice(0, -1);
  let current = root;
  for (const part of parts) {
    current = resolve(current, part);
    const kind = kindOf(current);
    if (kind === 'file') return current;
    if (kind !== 'directory') return null;
  }
  return null;
}
