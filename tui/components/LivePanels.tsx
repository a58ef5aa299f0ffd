/**
 * The running migrations with their progress, the rate of meetings updated, the time left, and the latest
 * failures. While the connection is lost, every panel says its figures are stale, and since when.
 */
import { Box, Text } from 'ink';
import { useNow } from '../clock.ts';
import { meetingsDone, progressBar, sparkline } from '../format.ts';
import { type LiveView, timeLeft } from '../live-migrations.ts';
import { columns, truncate } from '../width.ts';

/** Columns of a running migration's progress bar. */
const RUN_BAR = 20;

/** " · stale since 14:02:07" (local time) after a panel's label while the connection is lost. */
export function Stale({ since }: { since: number | null | undefined }) {
  if (since == null) return null;
  return <Text color="yellow"> · stale since {new Date(since).toTimeString().slice(0, 8)}</Text>;
}

/** A panel fed by the migrations stream while the server refuses it (more open than it replays). */
function NotLive({ when }: { when: boolean }) {
  return when ? <Text color="yellow"> · not live: more open than the server replays</Text> : null;
}

/** "42 s", "3 min 5 s", "2 h 10 min": for the time left of running work, drawn again with each event. */
function preciseDuration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

/**
 * "<1 min", "3 min", "2 h 10 min": to the minute, like the lists' times, so that an idle dashboard is drawn
 * again once a minute rather than every second.
 */
function duration(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  if (minutes < 1) return '<1 min';
  if (minutes < 120) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function LivePanels({
  view,
  width = 80,
  height = 20,
  now,
  staleSince = null,
}: {
  view: LiveView;
  /** When the connection was lost, while it is; null when live. */
  staleSince?: number | null;
  width?: number;
  /** Lines available: running migrations beyond them are counted, not listed. */
  height?: number;
  now?: number;
}) {
  // Drawn again when the minute turns: the times below are to the minute.
  useNow();
  const at = now ?? Date.now();
  const running = view.open.filter((m) => m.state === 'IN_PROGRESS');
  const pending = view.open.filter((m) => m.state === 'PENDING');
  const oldestPending = pending.reduce<string | null>(
    (oldest, m) => (!oldest || m.createdAt < oldest ? m.createdAt : oldest),
    null,
  );
  const done = running.reduce((sum, m) => sum + meetingsDone(m), 0);
  const total = running.reduce((sum, m) => sum + m.totalMeetings, 0);
  const rate = view.rates.at(-1) ?? 0;
  const left = timeLeft(view.open, rate, at);
  const waiting = [
    left.holdSeconds > 0 ? `hold ends in ${duration(left.holdSeconds)}` : null,
    left.queued > 0 ? `${left.queued} queued` : null,
  ].filter(Boolean);
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
        <Text wrap="truncate-end">
          <Text bold>{rate}</Text> meetings/s <Text color="cyan">{sparkline(view.rates)}</Text>
          {oldestPending ? (
            <Text dimColor> · oldest pending {duration((at - Date.parse(oldestPending)) / 1000)}</Text>
          ) : null}
          <Stale since={staleSince} />
        </Text>
        {total > 0 || waiting.length > 0 ? (
          <Text wrap="truncate-end">
            {total > 0 ? `${progressBar(done, total, bar)} ${done}/${total}` : 'nothing running'}
            {left.seconds !== null && (total > 0 || left.queued > 0) ? (
              <Text dimColor>
                {' '}
                · about {total > 0 ? preciseDuration(left.seconds) : duration(left.seconds)} left
              </Text>
            ) : null}
            {waiting.length > 0 ? <Text dimColor> · {waiting.join(' · ')}</Text> : null}
          </Text>
        ) : null}
      </Box>
      <Box flexDirection="column">
        <Text>
          <Text dimColor>In progress ({running.length})</Text>
          <Stale since={staleSince} />
          <NotLive when={view.notLive} />
        </Text>
        {runningShown.map((m) => {
          // The counts always show: the name is cut to the room the bar and the counts leave.
          const counts = m.totalMeetings > 0 ? ` ${meetingsDone(m)}/${m.totalMeetings}` : '';
          const name = truncate(m.user.userPrincipalName, width - RUN_BAR - 1 - columns(counts));
          // Before its meetings are counted, a run has no size to draw.
          return m.totalMeetings > 0 ? (
            <Text key={m.id} wrap="truncate-end">
              {progressBar(meetingsDone(m), m.totalMeetings, RUN_BAR)} {name}
              {counts}
            </Text>
          ) : (
            <Text key={m.id} wrap="truncate-end">
              <Text dimColor>{'selecting meetings'.padEnd(RUN_BAR)}</Text> {name}
            </Text>
          );
        })}
        {running.length > runningShown.length ? (
          <Text dimColor>… and {running.length - runningShown.length} more</Text>
        ) : null}
      </Box>
      <Box flexDirection="column">
        <Text>
          <Text dimColor>Latest failures</Text>
          <Stale since={staleSince} />
          <NotLive when={view.notLive} />
        </Text>
        {view.failures.length === 0 ? <Text dimColor>none</Text> : null}
        {failuresShown.map((m) => (
          <Text key={m.id} wrap="truncate-end">
            <Text color="red">✗</Text>{' '}
            {truncate(`${m.user.userPrincipalName}: ${m.lastMessage ?? 'failed'}`, width - 2)}
          </Text>
        ))}
      </Box>
    </Box>
  );
}
