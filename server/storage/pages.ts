/** Keyset pagination: pages are found by (sort key, id), so paging stays fast however deep it goes. */
import type { ExpressionBuilder, RawBuilder, ReferenceExpression, SelectQueryBuilder } from 'kysely';

/** A position in a list: the sort key of an item and its id, which breaks ties. */
export interface Cursor {
  key: string | number;
  id: number;
}

export interface PageRequest {
  after?: Cursor | null;
  before?: Cursor | null;
  /** How many rows to fetch (one more than the page, so the caller can tell whether more follow). */
  limit: number;
  /** Fetch from the end (`last: N`): the rows come back in reverse order. */
  inverted?: boolean;
}

export interface SortOrder<DB, TB extends keyof DB> {
  key: ReferenceExpression<DB, TB>;
  id: ReferenceExpression<DB, TB>;
  direction: 'asc' | 'desc';
}

export function keysetPage<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  order: SortOrder<DB, TB>,
  page: PageRequest,
): SelectQueryBuilder<DB, TB, O> {
  const forward = order.direction === 'asc';
  const beyond = (eb: ExpressionBuilder<DB, TB>, cursor: Cursor, later: boolean) => {
    const op = later === forward ? '>' : '<';
    return eb.or([
      eb(order.key, op, cursor.key as never),
      eb.and([eb(order.key, '=', cursor.key as never), eb(order.id, op, cursor.id as never)]),
    ]);
  };
  let result = query;
  const { after, before } = page;
  if (after) result = result.where((eb) => beyond(eb, after, true));
  if (before) result = result.where((eb) => beyond(eb, before, false));
  const direction = page.inverted ? (forward ? 'desc' : 'asc') : order.direction;
  return result
    .orderBy(order.key as never, direction)
    .orderBy(order.id as never, direction)
    .limit(page.limit);
}

/**
 * What a list's sort value is, which a cursor's key must be to compare with it: an id or other whole
 * number, a text, or an instant written as the database keeps it.
 */
export type KeyKind = 'id' | 'text' | 'time';

/**
 * One way a list can be sorted: the SQL giving each row's sort value (a column, or an expression of the
 * row) and the kind of that value.
 */
export interface SortKey {
  key: RawBuilder<string | number>;
  kind: KeyKind;
}

/** The field a list is sorted by, and which way. */
export interface ListOrder<Field extends string> {
  field: Field;
  direction: 'asc' | 'desc';
}

/** A list's rows, each with the value it is sorted by, which its cursor carries. */
export type Sorted<T> = T & { sortKey: string | number };

/**
 * One page of a list sorted by `sortKey` (ties by the id column `id`, named with its table where the query
 * joins others) in the order's direction, each row read by `fromRow` and given its sort value.
 */
export async function sortedPage<DB, TB extends keyof DB, O, T>(
  query: SelectQueryBuilder<DB, TB, O>,
  sortKey: SortKey,
  direction: 'asc' | 'desc',
  page: PageRequest,
  fromRow: (row: O) => T,
  id: ReferenceExpression<DB, TB>,
): Promise<Sorted<T>[]> {
  const withKey = query.select(sortKey.key.as('sort_key')) as unknown as SelectQueryBuilder<
    DB,
    TB,
    O & { sort_key: string | number }
  >;
  const rows = await keysetPage(withKey, { key: sortKey.key, id, direction }, page).execute();
  return rows.map((row) => ({ ...fromRow(row as O), sortKey: row.sort_key }));
}

/** How many rows the query matches (on PostgreSQL a count comes back as text). */
export async function countRows<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
): Promise<number> {
  const counted = query.clearSelect().select((eb) => eb.fn.countAll<number | string>().as('rows'));
  const row = (await counted.executeTakeFirstOrThrow()) as { rows: number | string };
  return Number(row.rows);
}
