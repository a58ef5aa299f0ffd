/** The first screen: per-state counts, the rate, running migrations and failures, all live. */
import { Box, Text } from 'ink';
import { useSubscription } from 'urql';
import { useLiveMigrations } from '../live-migrations.ts';
import { LivePanels } from './LivePanels.tsx';

export type ConnectionState = 'live' | 'reconnecting' | 'offline';

export const SUMMARY_SUBSCRIPTION = `subscription {
  meetingMigrationSummaryUpdated { pending inProgress succeeded failed cancelled }
}`;

export interface Summary {
  pending: number;
  inProgress: number;
  succeeded: number;
  failed: number;
  cancelled: number;
}

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

export function Dashboard({ width, height }: { width: number; height: number }) {
  const [{ data }] = useSubscription<{ meetingMigrationSummaryUpdated: Summary }>({
    query: SUMMARY_SUBSCRIPTION,
  });
  const live = useLiveMigrations();
  return (
    <Box flexDirection="column" gap={1}>
      <Box flexDirection="column">
        <Text dimColor>Users by migration state</Text>
        <SummaryCounts summary={data?.meetingMigrationSummaryUpdated ?? null} />
      </Box>
      <LivePanels view={live} width={width} height={height - 3} />
    </Box>
  );
}
