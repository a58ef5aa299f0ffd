/** Batch loading by id for every node type, restricted to what the viewer may see. */
import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import type { Context } from './context.ts';

/**
 * Loads the keys in one query and returns the results in key order; keys not found (or not visible) give
 * null. Keys arrive as numbers from parent objects and as strings from global IDs.
 */
export async function loadInOrder<T extends { id: number }>(
  keys: readonly (string | number)[],
  load: (ids: number[]) => Promise<T[]>,
): Promise<T[]> {
  const ids = keys.map(Number).filter((id) => Number.isSafeInteger(id));
  const found = new Map((await load(ids)).map((row) => [row.id, row]));
  // A missing node resolves to null, which the node fields allow.
  return keys.map((key) => found.get(Number(key)) ?? null) as T[];
}

export type LoadKeys = readonly (string | number)[];
export type Loader<T> = (keys: LoadKeys, context: Context) => Promise<T[]>;

/**
 * A per-request loader of the items belonging to each parent id (numbers of a bridge, attendees of a
 * meeting…), so that a list of parents costs one query, not one per parent.
 */
export function groupedLoader<T>(
  load: (ids: readonly number[], context: Context) => Promise<Map<number, T[]>>,
) {
  return createContextCache(
    (context: Context) =>
      new DataLoader<number, T[]>(async (ids) => {
        const byId = await load(ids, context);
        return ids.map((id) => byId.get(id) ?? []);
      }),
  );
}

export function groupBy<T>(items: T[], keyOf: (item: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
