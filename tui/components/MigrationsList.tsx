/**
 * The tenant's migrations, newest first, all of them however many, read page by page from the server as
 * the selection moves: 1–5 toggle state filters, several at once, 0 clears them; `/` searches by user; the
 * table's keys move, and sort on the server; Enter opens one. Opened from a user, it shows that user's
 * migrations only. Refreshed every second while shown.
 */
import { Box, Text } from 'ink';
import { useNow } from '../clock.ts';
import { ago, meetingsDone, progressBar, STATE_COLORS } from '../format.ts';
import { graphql, type ResultOf, type VariablesOf } from '../graphql.ts';
import { useKeys } from '../keyboard.ts';
import { usePolledQuery } from '../polled-query.ts';
import { useRemembered } from '../screen-memory.ts';
import { truncate } from '../width.ts';
import { ListStatus, useListSearch } from './ListSearch.tsx';
import { type Column, column, TABLE_HELP, useServerTable } from './Table.tsx';

const MIGRATION_ROW = graphql(`
  fragment MigrationRow on MeetingMigration {
    id state migrationType createdAt modifiedAt retryCount lastMessage
    totalMeetings succeededMeetings failedMeetings skippedMeetings user { userPrincipalName }
  }
`);
export const MIGRATIONS_PAGE = graphql(
  `query MigrationsPage($states: [MeetingMigrationState!], $userSearch: String, $userId: ID,
      $orderBy: MeetingMigrationOrder, $first: Int, $last: Int, $after: String, $before: String) {
    meetingMigrations(states: $states, userSearch: $userSearch, userId: $userId, orderBy: $orderBy,
        first: $first, last: $last, after: $after, before: $before) {
      totalCount
      edges { cursor node { ...MigrationRow } }
      pageInfo { hasNextPage hasPreviousPage }
    }
  }`,
  [MIGRATION_ROW],
);

type Row = ResultOf<typeof MIGRATION_ROW>;
type Variables = VariablesOf<typeof MIGRATIONS_PAGE>;
type State = NonNullable<Variables['states']>[number];
type Order = NonNullable<Variables['orderBy']>['field'];

/** One key per state filter; each toggles its state in the filter. */
export const STATE_KEYS: Record<string, State> = {
  '1': 'PENDING',
  '2': 'IN_PROGRESS',
  '3': 'FAILED',
  '4': 'SUCCEEDED',
  '5': 'CANCELLED',
};

export const MIGRATIONS_HELP = [
  { keys: '1-5', what: 'filter: pending, in progress, failed, succeeded, cancelled (several at once)' },
  { keys: '0', what: 'all states' },
  { keys: '/', what: 'search by user' },
  { keys: '⏎', what: 'open' },
  ...TABLE_HELP,
];

function columnsAt(now: number): Column<Row, Order>[] {
  return [
    column('STATE', 11, (m) => m.state, { color: (m) => STATE_COLORS[m.state], order: 'STATE' }),
    column('USER', 20, (m) => m.user.userPrincipalName, { grow: 24, order: 'USER' }),
    column('MEETINGS', 9, (m) => m.totalMeetings, {
      align: 'right',
      text: (m) => `${meetingsDone(m)}/${m.totalMeetings}`,
      order: 'TOTAL_MEETINGS',
    }),
    {
      title: 'PROGRESS',
      width: 8,
      priority: 3,
      text: (m) => progressBar(meetingsDone(m), m.totalMeetings, 8),
    },
    column('CREATED', 12, (m) => m.createdAt, { text: (m) => ago(m.createdAt, now), order: 'CREATED_AT' }),
    column('FAILED', 6, (m) => m.failedMeetings, {
      align: 'right',
      priority: 2,
      color: (m) => (m.failedMeetings > 0 ? 'red' : undefined),
      order: 'FAILED_MEETINGS',
    }),
    column('TYPE', 14, (m) => m.migrationType, { priority: 2, order: 'TYPE' }),
    column('MODIFIED', 12, (m) => m.modifiedAt, {
      priority: 2,
      text: (m) => ago(m.modifiedAt, now),
      order: 'MODIFIED_AT',
    }),
    column('RETRIES', 7, (m) => m.retryCount, { align: 'right', priority: 2 }),
    column('LAST MESSAGE', 20, (m) => m.lastMessage ?? '', { grow: 60, priority: 4 }),
  ];
}

export function MigrationsList({
  height,
  width = 80,
  user = null,
  onOpen,
}: {
  /** Lines the list has, its title included. */
  height: number;
  width?: number;
  /** Only this user's migrations. */
  user?: { id: string; userPrincipalName: string } | null;
  onOpen?: (id: string) => void;
}) {
  const now = useNow();
  const [states, setStates] = useRemembered<State[]>('migrations.states', []);
  const { search, searching, startSearching, prompt } = useListSearch(
    'migrations.search',
    "part of a user's name",
    () => {},
    width,
  );
  const list = useServerTable({
    memoryKey: `migrations.table${user ? `.${user.id}` : ''}`,
    columns: columnsAt(now),
    rowKey: (m) => m.id,
    width,
    height: Math.max(3, height - 1 - (searching ? 1 : 0)),
    scope: `${states.join()}/${search}`,
    defaultSort: { title: 'CREATED', descending: true },
  });
  const [result, , current] = usePolledQuery({
    query: MIGRATIONS_PAGE,
    variables: {
      states: states.length > 0 ? states : null,
      userSearch: user ? null : search || null,
      userId: user?.id ?? null,
      ...list.variables,
    },
  });
  const connection = current ? result.data?.meetingMigrations : undefined;
  const table = list.show(connection);
  useKeys(
    (press) => {
      const { input, key } = press;
      if (table.onKey(press)) return true;
      if (STATE_KEYS[input]) {
        const state = STATE_KEYS[input];
        setStates(states.includes(state) ? states.filter((s) => s !== state) : [...states, state]);
      } else if (input === '0') setStates([]);
      else if (input === '/' && !user) startSearching();
      else if (key.return && table.selected) onOpen?.(table.selected.id);
      else return false;
      return true;
    },
    { ready: current, help: user ? MIGRATIONS_HELP.filter((h) => h.keys !== '/') : MIGRATIONS_HELP },
  );

  const filters = [
    states.length > 0 ? states.join('+') : 'all states',
    ...(user ? [`user ${user.userPrincipalName}`] : search ? [`user "${search}"`] : []),
  ].join(' · ');
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>Migrations</Text>
        <Text dimColor>{truncate(` · ${filters}`, width - 10)}</Text>
      </Text>
      {prompt}
      {result.error || connection?.edges.length === 0 ? (
        <ListStatus error={result.error} empty={connection?.edges.length === 0} what="migrations" />
      ) : null}
      {table.view ?? <Text dimColor>loading…</Text>}
    </Box>
  );
}
