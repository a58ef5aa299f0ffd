/**
 * Every migration of the tenant, newest first, a page at a time through the connection: a key per state
 * filter, `/` to search by user, ←/→ to page. Refreshed every second while shown.
 */
import { TextInput } from '@inkjs/ui';
import { Box, Text, useInput } from 'ink';
import { useEffect, useState } from 'react';
import { useQuery } from 'urql';
import { progressBar } from '../live-migrations.ts';

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

const STATE_COLORS: Record<string, string> = {
  PENDING: 'yellow',
  IN_PROGRESS: 'cyan',
  FAILED: 'red',
  SUCCEEDED: 'green',
  CANCELLED: 'gray',
};

type Page = { after?: string; before?: string };
const REFRESH_MS = 1_000;

export function MigrationsList({
  pageSize,
  isActive,
  onTyping,
}: {
  pageSize: number;
  isActive: boolean;
  onTyping?: (typing: boolean) => void;
}) {
  const [state, setState] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [searching, setSearchingState] = useState(false);
  const setSearching = (value: boolean) => {
    setSearchingState(value);
    onTyping?.(value);
  };
  const [page, setPage] = useState<Page>({});
  const [result, refresh] = useQuery<{
    meetingMigrations: {
      edges: { node: Row }[];
      pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string; endCursor: string };
    };
  }>({
    query: MIGRATIONS_PAGE,
    variables: {
      states: state ? [state] : null,
      userSearch: search || null,
      ...(page.before
        ? { last: pageSize, before: page.before }
        : { first: pageSize, after: page.after ?? null }),
    },
  });

  useEffect(() => {
    const timer = setInterval(() => refresh({ requestPolicy: 'network-only' }), REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  const connection = result.data?.meetingMigrations;
  useInput(
    (input, key) => {
      if (input in STATE_KEYS) {
        setState(STATE_KEYS[input] ?? null);
        setPage({});
      } else if (input === '/') {
        setSearching(true);
      } else if ((key.rightArrow || input === 'n') && connection?.pageInfo.hasNextPage) {
        setPage({ after: connection.pageInfo.endCursor });
      } else if ((key.leftArrow || input === 'b') && page.after !== undefined) {
        setPage(connection?.pageInfo.startCursor ? { before: connection.pageInfo.startCursor } : {});
      }
    },
    { isActive: isActive && !searching },
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
      {searching ? (
        <Box>
          <Text>/ </Text>
          <TextInput
            defaultValue={search}
            placeholder="part of a user's name"
            onSubmit={(value) => {
              setSearch(value.trim());
              setSearching(false);
              setPage({});
            }}
          />
        </Box>
      ) : null}
      {result.error ? <Text color="red">{result.error.message}</Text> : null}
      {connection?.edges.length === 0 ? <Text dimColor>no migrations</Text> : null}
      {connection?.edges.map(({ node }) => {
        const done = node.succeededMeetings + node.failedMeetings + node.skippedMeetings;
        return (
          <Text key={node.id} wrap="truncate-end">
            <Text color={STATE_COLORS[node.state] ?? 'white'}>{node.state.padEnd(11)}</Text>{' '}
            {node.createdAt.slice(0, 19).replace('T', ' ')} {progressBar(done, node.totalMeetings, 10)}{' '}
            {String(done).padStart(5)}/{String(node.totalMeetings).padEnd(5)} {node.user.userPrincipalName}
          </Text>
        );
      })}
    </Box>
  );
}
