/** The first screen: per-state counts, the rate, running migrations and failures, all live. */
import { Box, Text } from 'ink';
import { useRef } from 'react';
import { useSubscription } from 'urql';
import { graphql, type ResultOf } from '../graphql.ts';
import { useLiveMigrations } from '../live-migrations.ts';
import { LivePanels, Stale } from './LivePanels.tsx';

export type ConnectionState = 'live' | 'reconnecting' | 'offline';

/** A migration count per state: the dashboard's, the failures screen's and the plain snapshot's. */
export const MIGRATION_COUNTS = graphql(`
  fragment MigrationCounts on MeetingMigrationSummary { pending inProgress succeeded failed cancelled }
`);

export const SUMMARY_SUBSCRIPTION = graphql(
  `subscription SummaryUpdated { meetingMigrationSummaryUpdated { ...MigrationCounts } }`,
  [MIGRATION_COUNTS],
);

export type Summary = ResultOf<typeof MIGRATION_COUNTS>;

const COUNTS: { key: keyof Summary; label: string; color: string }[] = [
  { key: 'pending', label: 'pending', color: 'yellow' },
  { key: 'inProgress', label: 'in progress', color: 'cyan' },
  { key: 'failed', label: 'failed', color: 'red' },
  { key: 'succeeded', label: 'succeeded', color: 'green' },
  { key: 'cancelled', label: 'cancelled', color: 'gray' },
];

export function SummaryCounts({ summary }: { summary: Summary | null }) {
  return (
    <Box gap={3}>
      {COUNTS.map(({ key, label, color }) => (
        <Text key={key}>
          <Text color={color} bold>
            {summary ? summary[key] : '…'}
          </Text>{' '}
          {label}
        </Text>
      ))}
    </Box>
  );
}

/**
 * When the connection was lost, while it is: what the screen shows from then on is what it last heard. Not
 * before it was first live — there is nothing yet to be stale. Worked out as the frame is drawn, so that the
 * header's connection state and the panels never disagree in one frame.
 */
export function useStaleSince(connection: ConnectionState, now: () => number = Date.now): number | null {
  const wasLive = useRef(false);
  const since = useRef<number | null>(null);
  if (connection === 'live') {
    wasLive.current = true;
    since.current = null;
  } else if (wasLive.current && since.current === null) since.current = now();
  return since.current;
}

export function Dashboard({
  width,
  height,
  connection = 'live',
}: {
  width: number;
  height: number;
  connection?: ConnectionState;
}) {
  const [{ data }] = useSubscription({ query: SUMMARY_SUBSCRIPTION });
  const live = useLiveMigrations();
  const staleSince = useStaleSince(connection);
  return (
    <Box flexDirection="column" gap={1}>
      <Box flexDirection="column">
        <Text>
          <Text dimColor>Users by migration state</Text>
          <Stale since={staleSince} />
        </Text>
        <SummaryCounts summary={data?.meetingMigrationSummaryUpdated ?? null} />
      </Box>
      <LivePanels view={live} width={width} height={height - 3} staleSince={staleSince} />
    </Box>
  );
}
