/** Shared schema pieces: enums, typed errors, global IDs and cursor pagination. */
import {
  type DefaultConnectionArguments,
  decodeGlobalID,
  resolveCursorConnection,
} from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';
import { InvalidValueError, NotAllowedError, NotFoundError } from '../domain/errors.ts';
import * as model from '../domain/model.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../limits.ts';
import { MEETING_TIMINGS } from '../storage/meetings.ts';
import type { Cursor, KeyKind, ListOrder, PageRequest } from '../storage/pages.ts';
import { builder } from './builder.ts';
import { invalidArgument } from './input-limits.ts';

export const OnlineMeetingTypeEnum = builder.enumType('OnlineMeetingType', {
  values: model.ONLINE_MEETING_TYPES,
});
export const SkypeHostingEnum = builder.enumType('SkypeHosting', { values: model.SKYPE_HOSTINGS });
export const TeamsUpgradeModeEnum = builder.enumType('TeamsUpgradeMode', {
  values: model.TEAMS_UPGRADE_MODES,
});
export const MailboxLocationEnum = builder.enumType('MailboxLocation', { values: model.MAILBOX_LOCATIONS });
export const AudioConferencingProviderEnum = builder.enumType('AudioConferencingProvider', {
  values: model.AUDIO_CONFERENCING_PROVIDERS,
});
export const MigrationStateEnum = builder.enumType('MeetingMigrationState', {
  values: model.MIGRATION_STATES,
});
export const MigrationTypeEnum = builder.enumType('MeetingMigrationType', { values: model.MIGRATION_TYPES });
export const SourceMeetingTypeEnum = builder.enumType('SourceMeetingType', {
  values: model.SOURCE_MEETING_TYPES,
});
export const TargetMeetingTypeEnum = builder.enumType('TargetMeetingType', {
  values: model.TARGET_MEETING_TYPES,
});
export const MeetingResultOutcomeEnum = builder.enumType('MeetingResultOutcome', {
  values: model.MEETING_RESULT_OUTCOMES,
});
export const ContentItemKindEnum = builder.enumType('ContentItemKind', { values: model.CONTENT_ITEM_KINDS });
export const TriggerKindEnum = builder.enumType('TriggerKind', { values: model.TRIGGER_KINDS });
export const TriggerOutcomeEnum = builder.enumType('TriggerOutcome', { values: model.TRIGGER_OUTCOMES });
export const MeetingTimingEnum = builder.enumType('MeetingTiming', { values: MEETING_TIMINGS });

/* Typed errors: expected failures come back in a mutation's result union, not as GraphQL errors. */

const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  description: 'An expected failure: nothing was changed.',
  fields: (t) => ({ message: t.exposeString('message') }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'The object does not exist, or is not visible to this token.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The input field that named the object.' }),
  }),
});

builder.objectType(InvalidValueError, {
  name: 'InvalidValueError',
  description: 'An input value is not acceptable; `field` names it.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ field: t.exposeString('field') }),
});

builder.objectType(NotAllowedError, {
  name: 'NotAllowedError',
  description: 'The input is well-formed but the operation is not allowed in the current state.',
  interfaces: [ErrorInterface],
  fields: () => ({}),
});

export const EXPECTED_ERRORS = [NotFoundError, InvalidValueError, NotAllowedError];

/**
 * Ids are 32-bit integers (PostgreSQL's integer columns): a larger number names no row, and PostgreSQL would
 * refuse to compare it with one.
 */
const MAX_ROW_ID = 2 ** 31 - 1;

function isRowId(value: unknown): value is number {
  return Number.isInteger(value) && Math.abs(value as number) <= MAX_ROW_ID;
}

/**
 * The database id behind a global ID of the expected type. A malformed ID or one of another type names
 * nothing that exists, so it fails exactly as an unknown one does.
 */
export function decodeId(field: string, globalId: string, typename: string): number {
  try {
    const { typename: actual, id } = decodeGlobalID(globalId);
    const numeric = Number(id);
    if (actual === typename && isRowId(numeric) && numeric > 0) return numeric;
  } catch {
    // fall through: not a global ID at all
  }
  throw new NotFoundError(typename, field);
}

export function decodeOptionalId(
  field: string,
  globalId: string | null | undefined,
  typename: string,
): number | null {
  return globalId === null || globalId === undefined ? null : decodeId(field, globalId, typename);
}

/**
 * The id behind a global ID used as a query filter. One that names nothing (malformed, another type) gives
 * 0, which no row has: the filter then matches nothing, as for an unknown object.
 */
export function filterId(globalId: string, typename: string): number {
  try {
    return decodeId('id', globalId, typename);
  } catch {
    return 0;
  }
}

/** Runs a check of query arguments, turning an expected failure into a GraphQL error naming the argument. */
export function queryArgument<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof InvalidValueError) throw invalidArgument(error);
    throw error;
  }
}

/**
 * A cursor: [sort key, id], and the order's name where a list can be sorted several ways, so that a cursor
 * is taken only by the order that wrote it.
 */
function encodeCursor(cursor: Cursor, orderName: string | null): string {
  const position = orderName === null ? [cursor.key, cursor.id] : [cursor.key, cursor.id, orderName];
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/**
 * A cursor is taken only with a key of the kind the list is sorted by, written as the list writes it, so
 * that what reaches the database always compares with the sort value (PostgreSQL refuses to compare an
 * integer with text).
 */
const CURSOR_KEY_CHECKS: Record<KeyKind, (key: unknown) => boolean> = {
  id: isRowId,
  // No control characters (PostgreSQL text cannot hold NUL) and no lone surrogates.
  text: (key) => typeof key === 'string' && key.length <= 1024 && key.isWellFormed() && !/\p{Cc}/u.test(key),
  time: (key) =>
    typeof key === 'string' && !Number.isNaN(Date.parse(key)) && new Date(key).toISOString() === key,
};

function decodeCursor(argument: string, value: string, keyKind: KeyKind, orderName: string | null): Cursor {
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    // not JSON: refused below
  }
  const [key, id, order = null] = Array.isArray(position) ? position : [];
  const shaped = Array.isArray(position) && position.length === (orderName === null ? 2 : 3);
  if (shaped && typeof order === 'string' && order !== orderName) {
    throw new GraphQLError(
      `${argument}: a cursor of this list in another order; page from the start in ${orderName ?? 'its order'}`,
      { extensions: { code: 'INVALID_VALUE', field: argument } },
    );
  }
  if (shaped && order === orderName && CURSOR_KEY_CHECKS[keyKind](key) && isRowId(id)) {
    return { key: key as string | number, id: id as number };
  }
  throw new GraphQLError(`${argument}: not a cursor of this list`, {
    extensions: { code: 'INVALID_VALUE', field: argument },
  });
}

/**
 * A keyset-paginated connection: `fetch` reads one page, `keyOf` gives each node's position, whose key is
 * of the kind `keyKind`. A list that can be sorted several ways names the order its cursors are of.
 */
export function cursorConnection<T>(
  args: DefaultConnectionArguments,
  fetch: (page: PageRequest) => Promise<T[]>,
  keyOf: (node: T) => Cursor,
  keyKind: KeyKind = 'id',
  orderName: string | null = null,
) {
  for (const size of ['first', 'last'] as const) {
    const value = args[size];
    if (value !== null && value !== undefined && (!Number.isInteger(value) || value < 0)) {
      throw new GraphQLError(`${size}: must be a whole number of at least 0`, {
        extensions: { code: 'INVALID_VALUE', field: size },
      });
    }
  }
  // A larger first or last was refused before execution (schema/limits.ts): maxSize never cuts a page short.
  return resolveCursorConnection<Promise<T[]>>(
    {
      args,
      toCursor: (node: T) => encodeCursor(keyOf(node), orderName),
      defaultSize: DEFAULT_PAGE_SIZE,
      maxSize: MAX_PAGE_SIZE,
    },
    ({ before, after, limit, inverted }) =>
      fetch({
        before: before ? decodeCursor('before', before, keyKind, orderName) : null,
        after: after ? decodeCursor('after', after, keyKind, orderName) : null,
        limit,
        inverted,
      }),
  );
}

export const OrderDirectionEnum = builder.enumType('OrderDirection', {
  values: {
    ASC: { description: 'Smallest first: A to Z, oldest first, fewest first.' },
    DESC: { description: 'Largest first: Z to A, newest first, most first.' },
  },
});

/** An `orderBy` argument's value: a field of the list's own enum and a direction. */
export interface OrderArgument<Field extends string> {
  field: Field;
  direction: 'ASC' | 'DESC';
}

/**
 * The order a list is read in (the default when `orderBy` is null), and its name, which the list's cursors
 * carry.
 */
export function listOrder<Field extends string>(
  argument: OrderArgument<Field> | null | undefined,
  fallback: OrderArgument<Field>,
): { order: ListOrder<Field>; name: string } {
  const { field, direction } = argument ?? fallback;
  return {
    order: { field, direction: direction === 'ASC' ? 'asc' : 'desc' },
    name: `${field} ${direction}`,
  };
}

/**
 * How a short list already in memory is ordered: each item's position, the order of two positions, and the
 * kind of key a cursor of the list holds.
 */
export interface LoadedOrder<T> {
  positionOf: (item: T) => Cursor;
  compare: (a: Cursor, b: Cursor) => number;
  keyKind: KeyKind;
}

/** By id, ascending or descending: the order of a bridge's numbers, a meeting's attendees. */
export function byId<T extends { id: number }>(direction: 'asc' | 'desc'): LoadedOrder<T> {
  const sign = direction === 'asc' ? 1 : -1;
  return {
    positionOf: (item) => ({ key: item.id, id: item.id }),
    compare: (a, b) => sign * (a.id - b.id),
    keyKind: 'id',
  };
}

/** A connection over a short list already loaded, read in `order`. */
export async function loadedConnection<T>(
  args: DefaultConnectionArguments,
  items: Promise<T[]>,
  order: LoadedOrder<T>,
) {
  const all = [...(await items)].sort((a, b) => order.compare(order.positionOf(a), order.positionOf(b)));
  return cursorConnection(
    args,
    async (page) =>
      (page.inverted ? [...all].reverse() : all)
        .filter((item) => {
          const position = order.positionOf(item);
          return (
            (!page.after || order.compare(position, page.after) > 0) &&
            (!page.before || order.compare(position, page.before) < 0)
          );
        })
        .slice(0, page.limit),
    order.positionOf,
    order.keyKind,
  );
}
