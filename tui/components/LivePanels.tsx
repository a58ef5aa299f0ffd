/** The running migrations with their progress, the rate of meetings updated, and the latest failures. */
import { Box, Text } from 'ink';
import { age, meetingsDone, progressBar, sparkline } from '../format.ts';
import type { LiveView } from '../live-migrations.ts';

export function LivePanels({
  view,
  width = 80,
  height = 20,
  now = Date.now(),
}: {
  view: LiveView;
  width?: number;
  /** Lines available: running migrations beyond them are counted, not listed. */
  height?: number;
  now?: number;
}) {
  const running = view.open.filter((m) => m.state === 'IN_PROGRESS');
  const pending = view.open.filter((m) => m.state === 'PENDING');
  const oldestPending = pending.reduce<string | null>(
    (oldest, m) => (!oldest || m.createdAt < oldest ? m.createdAt : oldest),
    null,
  );
  const done = running.reduce((sum, m) => sum + meetingsDone(m), 0);
  const total = running.reduce((sum, m) => sum + m.totalMeetings, 0);
  const rate = view.rates.at(-1) ?? 0;
  const secondsLeft = rate > 0 ? Math.ceil((total - done) / rate) : null;
  const bar = Math.max(10, Math.min(40, width - 50));
  // Rate and progress, two labels and two gaps take 7 lines; running migrations and failures share the
  // rest, running ones first, but the latest failures keep up to five lines.
  const room = Math.max(2, height - 7);
  const failureLines = Math.max(Math.min(5, room - 1), room - Math.max(1, running.length));
  const failuresShown = view.failures.slice(0, Math.max(0, failureLines));
  const runningLines = Math.max(1, room - Math.max(1, failuresShown.length));
  const runningShown = running.slice(0, running.length > runningLines ? runningLines - 1 : runningLines);
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
        {runningShown.map((m) => (
          <Text key={m.id}>
            {progressBar(meetingsDone(m), m.totalMeetings, 20)} {m.user.userPrincipalName} {meetingsDone(m)}/
            {m.totalMeetings}
          </Text>
        ))}
        {running.length > runningShown.length ? (
          <Text dimColor>… and {running.length - runningShown.length} more</Text>
        ) : null}
      </Box>
      <Box flexDirection="column">
        <Text dimColor>Latest failures</Text>
        {view.failures.length === 0 ? <Text dimColor>none</Text> : null}
        {failuresShown.map((m) => (
          <Text key={m.id} wrap="truncate-end">
            <Text color="red">✗</Text> {m.user.userPrincipalName}: {m.lastMessage ?? 'failed'}
          </Text>
        ))}
      </Box>
    </Box>
  );
}
