/** The running migrations with their progress, the rate of meetings updated, and the latest failures. */
import { Box, Text } from 'ink';
import { age, type LiveView, progressBar, sparkline } from '../live-migrations.ts';

export function LivePanels({
  view,
  width = 80,
  now = Date.now(),
}: {
  view: LiveView;
  width?: number;
  now?: number;
}) {
  const running = view.open.filter((m) => m.state === 'IN_PROGRESS');
  const pending = view.open.filter((m) => m.state === 'PENDING');
  const oldestPending = pending.reduce<string | null>(
    (oldest, m) => (!oldest || m.createdAt < oldest ? m.createdAt : oldest),
    null,
  );
  const done = running.reduce(
    (sum, m) => sum + m.succeededMeetings + m.failedMeetings + m.skippedMeetings,
    0,
  );
  const total = running.reduce((sum, m) => sum + m.totalMeetings, 0);
  const rate = view.rates.at(-1) ?? 0;
  const secondsLeft = rate > 0 ? Math.ceil((total - done) / rate) : null;
  const bar = Math.max(10, Math.min(40, width - 50));
  return (
    <Box flexDirection="column" gap={1}>
      <Box flexDirection="column">
        <Text>
          <Text bold>{rate}</Text> meetings/s <Text color="cyan">{sparkline(view.rates)}</Text>
          {oldestPending ? <Text dimColor> · oldest pending {age(oldestPending, now)}</Text> : null}
        </Text>
        {total > 0 ? (
          <Text>
            {progressBar(done, total, bar)} {done}/{total}
            {secondsLeft !== null ? <Text dimColor> · about {secondsLeft} s left</Text> : null}
          </Text>
        ) : null}
      </Box>
      <Box flexDirection="column">
        <Text dimColor>In progress ({running.length})</Text>
        {running.slice(0, 8).map((m) => (
          <Text key={m.id}>
            {progressBar(m.succeededMeetings + m.failedMeetings + m.skippedMeetings, m.totalMeetings, 20)}{' '}
            {m.user.userPrincipalName} {m.succeededMeetings + m.failedMeetings + m.skippedMeetings}/
            {m.totalMeetings}
          </Text>
        ))}
      </Box>
      <Box flexDirection="column">
        <Text dimColor>Latest failures</Text>
        {view.failures.length === 0 ? <Text dimColor>none</Text> : null}
        {view.failures.map((m) => (
          <Text key={m.id} wrap="truncate-end">
            <Text color="red">✗</Text> {m.user.userPrincipalName}: {m.lastMessage ?? 'failed'}
          </Text>
        ))}
      </Box>
    </Box>
  );
}
