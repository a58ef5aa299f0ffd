/**
 * Every migration of the tenant, newest first, a page at a time through the connection: a key per state
 * filter, `/` to search by user, ↑/↓ to select (running on across pages), ←/→ to turn a page, Enter to
 * open one. Refreshed every second while shown.
 */
import { Box, Text, useInput } from 'ink';
import { dateTime, fitColumns, meetingsDone, progressBar, STATE_COLORS } from '../format.ts';
import { useCapture } from '../keyboard.ts';
import { type PageInfo, usePaging } from '../paging.ts';
import { usePolledQuery } from '../polled-query.ts';
import { useRemembered } from '../screen-memory.ts';
import { ListStatus, useListSearch } from './ListSearch.tsx';

export const MIGRATIONS_PAGE = `query($states: [MeetingMigrationState!], $userSearch: String, $first: Int, $after: String, $last: Int, $before: String) {
  meetingMigrations(states: $states, userSearch: $userSearch, first: $first, after: $after, last: $last, before: $before) {
    edges { node { id state migrationType createdAt totalMeetings succeededMeetings failedMeetings skippedMeetings user { userPrincipalName } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

interface Row {
  id: string;
  state: string;
  migrationType: string;
  createdAt: string;
  totalMeetings: number;
  succeededMeetings: number;
  failedMeetings: number;
  skippedMeetings: number;
  user: { userPrincipalName: string };
}

/** One key per state filter. */
export const STATE_KEYS: Record<string, string | null> = {
  a: null,
  p: 'PENDING',
  i: 'IN_PROGRESS',
  f: 'FAILED',
  s: 'SUCCEEDED',
  c: 'CANCELLED',
};

export function MigrationsList({
  pageSize,
  width = 80,
  onOpen,
}: {
  pageSize: number;
  width?: number;
  onOpen?: (id: string) => void;
}) {
  // Marker, state, counts, bar, time and the spaces between take 50 columns; the user gets the rest.
  const userWidth = Math.max(12, width - 51);
  const [state, setState] = useRemembered<string | null>('migrations.state', null);
  const paging = usePaging(pageSize, 'migrations.page');
  const { search, searching, startSearching, prompt } = useListSearch(
    'migrations.search',
    "part of a user's name",
    paging.reset,
  );
  const active = useCapture(searching);
  const [result] = usePolledQuery<{
    meetingMigrations: { edges: { node: Row }[]; pageInfo: PageInfo };
  }>({
    query: MIGRATIONS_PAGE,
    variables: { states: state ? [state] : null, userSearch: search || null, ...paging.variables },
  });

  const connection = result.data?.meetingMigrations;
  const rows = connection?.edges.map((edge) => edge.node) ?? [];
  const selected = paging.selectedOf(rows.length);
  useInput(
    (input, key) => {
      if (paging.onKey(input, key, connection?.pageInfo, connection ? rows.length : undefined)) return;
      if (input in STATE_KEYS) {
        setState(STATE_KEYS[input] ?? null);
        paging.reset();
      } else if (input === '/') {
        startSearching();
      } else if (key.return) {
        const row = rows[paging.selectedOf(rows.length)];
        if (row) onOpen?.(row.id);
      }
    },
    { isActive: active && !searching },
  );

  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>Migrations</Text>
        <Text dimColor>
          {' '}
          · {state ?? 'all states'}
          {search ? ` · user "${search}"` : ''}
        </Text>
      </Text>
      {prompt}
      <ListStatus error={result.error} empty={connection?.edges.length === 0} what="migrations" />
      {rows.map((node, index) => {
        const done = meetingsDone(node);
        return (
          <Text key={node.id} wrap="truncate-end" bold={index === selected}>
            {index === selected ? '›' : ' '}{' '}
            <Text color={STATE_COLORS[node.state] ?? 'white'}>{node.state.padEnd(11)}</Text>{' '}
            {fitColumns(node.user.userPrincipalName, userWidth)} {String(done).padStart(5)}/
            {String(node.totalMeetings).padEnd(5)} {progressBar(done, node.totalMeetings, 8)}{' '}
            {dateTime(node.createdAt).slice(5)}
          </Text>
        );
      })}
    </Box>
  );
}
