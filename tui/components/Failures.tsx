/**
 * Failures grouped by reason, fixed in bulk (SPEC §9). The groups, largest first, and the migrations of the
 * selected one; r retries, c cancels the marked migrations (space marks) or else the whole group. Before
 * anything runs, a dry run says how many migrations and meetings it will touch, and asks y/n. The groups
 * and the counts then follow the work live.
 */
import { Box, Text } from 'ink';
import { useEffect, useState } from 'react';
import { useSubscription } from 'urql';
import { COMMAND_ERROR, type Outcome, useCommand } from '../commands.ts';
import { afterReplayRefused, isReplayRefused, replayFrom } from '../connection.ts';
import { STATE_COLORS } from '../format.ts';
import { graphql, type ResultOf } from '../graphql.ts';
import { type KeyHelp, useKeys } from '../keyboard.ts';
import { usePolledQuery } from '../polled-query.ts';
import { SUMMARY_SUBSCRIPTION, SummaryCounts } from './Dashboard.tsx';
import { OutcomeLine, useQuestion } from './Question.tsx';

export const FAILURE_GROUPS = graphql(`
  query FailureGroups {
    meetingMigrationFailureGroups(first: 500) {
      totalCount
      edges { node { reason failedMigrations retryingMigrations meetings } }
    }
  }
`);
export const GROUP_MIGRATIONS = graphql(`
  query GroupMigrations($reason: String, $first: Int) {
    meetingMigrations(failureReason: $reason, first: $first) {
      edges { node { id state lastMessage user { userPrincipalName } } }
    }
  }
`);

const FAILURES_HELP: KeyHelp[] = [
  { keys: '↑ ↓ j k', what: 'choose a group, or a migration of it' },
  { keys: 'tab', what: 'between the groups and the migrations of the chosen one' },
  { keys: 'space', what: 'mark a migration; r and c then act on the marked ones' },
  { keys: 'r', what: 'retry the group (or the marked), after a dry run and y/n' },
  { keys: 'c', what: 'cancel the group (or the marked), after a dry run and y/n' },
];

const PROGRESS = graphql(`
  subscription BulkProgress($since: DateTime) { meetingMigrationUpdated(since: $since) { id state } }
`);
const RETRIED = graphql(`
  fragment Retried on RetryMeetingMigrationsPayload {
    dryRun migrations meetings skipped skippedMeetingMigrations { reason } changedMeetingMigrations { id state }
  }
`);
const CANCELLED = graphql(`
  fragment Cancelled on CancelMeetingMigrationsPayload {
    dryRun migrations meetings skipped skippedMeetingMigrations { reason } changedMeetingMigrations { id state }
  }
`);
const RETRY = graphql(
  `mutation RetryMeetingMigrations($input: RetryMeetingMigrationsInput!) {
    retryMeetingMigrations(input: $input) { __typename ...CommandError ...Retried }
  }`,
  [COMMAND_ERROR, RETRIED],
);
const CANCEL = graphql(
  `mutation CancelMeetingMigrations($input: CancelMeetingMigrationsInput!) {
    cancelMeetingMigrations(input: $input) { __typename ...CommandError ...Cancelled }
  }`,
  [COMMAND_ERROR, CANCELLED],
);
const BULK = {
  retry: { verb: 'Retry', done: 'retried' },
  cancel: { verb: 'Cancel', done: 'cancelled' },
} as const;
type Action = keyof typeof BULK;

/** What a bulk command did, or would do in a dry run, with every migration it changed. */
type BulkAnswer = ResultOf<typeof RETRIED> | ResultOf<typeof CANCELLED>;

/** The migrations a bulk command changed, followed live: the state of each, by id, however many. */
interface Tracked {
  done: string;
  /** Changes replayed from here (a little before the command, for clocks that disagree) on. */
  since: string;
  total: number;
  states: Map<string, string>;
  /** Refused again: more migrations are open than the server replays (MMS_MAX_REPLAY_EVENTS). */
  notLive?: boolean;
}

/** "retried 12: 4 waiting · 3 running · 5 finished (2 failed)". */
function progressLine(tracked: Tracked): string {
  const states = [...tracked.states.values()];
  const count = (...of: string[]) => states.filter((state) => of.includes(state)).length;
  const failed = count('FAILED');
  // First, where a narrow terminal cannot cut it: the figures stop following.
  return (
    (tracked.notLive ? 'not live · ' : '') +
    `${tracked.done} ${tracked.total}: ${count('PENDING')} waiting · ${count('IN_PROGRESS')} running · ` +
    `${count('SUCCEEDED', 'FAILED', 'CANCELLED')} finished${failed > 0 ? ` (${failed} failed)` : ''}`
  );
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** "12 migrations and 40 meetings", and what is left alone, for the question and the outcome. */
function touched(answer: BulkAnswer): string {
  const left =
    answer.skipped > 0
      ? ` (${answer.skipped} left alone: ${answer.skippedMeetingMigrations[0]?.reason ?? 'not applicable'})`
      : '';
  return `${plural(answer.migrations, 'migration')} and ${plural(answer.meetings, 'meeting')}${left}`;
}

export function Failures({ height }: { height: number }) {
  const [selected, setSelected] = useState(0);
  const [pane, setPane] = useState<'groups' | 'migrations'>('groups');
  const [focusedRow, setFocusedRow] = useState(0);
  const [marked, setMarked] = useState<ReadonlySet<string>>(new Set());
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [tracked, setTracked] = useState<Tracked | null>(null);
  const question = useQuestion();
  // What happens to the migrations of the last bulk command, as it happens.
  const [progress] = useSubscription(
    { query: PROGRESS, variables: { since: tracked?.since ?? null }, pause: !tracked },
    (_previous: null | undefined, { meetingMigrationUpdated: event }) => {
      setTracked((current) =>
        current?.states.has(event.id) && current.states.get(event.id) !== event.state
          ? { ...current, states: new Map(current.states).set(event.id, event.state) }
          : current,
      );
      return null;
    },
  );
  // More changes in the window than the server replays: asked again from now on, from the states the
  // command gave; refused from now too (more migrations open than it replays), the line says it is not live.
  useEffect(() => {
    if (!isReplayRefused(progress.error)) return;
    const refusedSince = progress.operation?.variables.since;
    setTracked((current) => {
      // A refusal counts for the stream asked for now, not one left over from the stream before it.
      if (!current || current.notLive || refusedSince !== current.since) return current;
      const next = afterReplayRefused(current.since, Date.now());
      return next === 'not live' ? { ...current, notLive: true } : { ...current, since: next.since };
    });
  }, [progress.error, progress.operation]);
  const retry = useCommand(RETRY, (data) => data.retryMeetingMigrations);
  const cancel = useCommand(CANCEL, (data) => data.cancelMeetingMigrations);
  const [{ data: summary }] = useSubscription({ query: SUMMARY_SUBSCRIPTION });
  const [groupsResult, refreshGroups] = usePolledQuery({ query: FAILURE_GROUPS, variables: {} });
  const groupsPage = groupsResult.data?.meetingMigrationFailureGroups;
  const groups = groupsPage?.edges.map((edge) => edge.node) ?? [];
  // The largest 500 reasons are listed; past them, the title says how many there are in all.
  const groupsCount =
    groupsPage && groupsPage.totalCount > groups.length
      ? `${groups.length} of ${groupsPage.totalCount}`
      : String(groups.length);
  const group = groups[Math.min(selected, groups.length - 1)];
  // Counts (2), the gaps and labels (4), the question and progress lines (2): the rest is shared by groups
  // and rows.
  const room = Math.max(4, height - 8);
  const groupLines = Math.max(1, Math.min(groups.length, Math.floor(room / 2)));
  const rowLines = Math.max(1, room - groupLines);
  const [rowsResult] = usePolledQuery({
    query: GROUP_MIGRATIONS,
    variables: { reason: group?.reason ?? '', first: rowLines },
  });
  const rows = group ? (rowsResult.data?.meetingMigrations.edges.map((e) => e.node) ?? []) : [];

  function choose(index: number) {
    setSelected(index);
    setFocusedRow(0);
    setMarked(new Set());
  }

  /** Asks the server for a dry run, then whether to go on; runs it on y. */
  async function propose(action: Action) {
    if (!group) return;
    const { verb, done } = BULK[action];
    const selection = marked.size > 0 ? { migrationIds: [...marked] } : { failureReason: group.reason };
    const what = marked.size > 0 ? `the ${plural(marked.size, 'marked migration')}` : 'the selected group';
    const run = (dryRun: boolean, describe: (answer: BulkAnswer) => string) => {
      const variables = { input: { ...selection, dryRun } };
      return action === 'retry' ? retry(variables, describe) : cancel(variables, describe);
    };
    const dry = await run(true, () => '');
    if (!dry.ok) return setOutcome(dry);
    const planned = dry.payload;
    if (planned.migrations === 0) {
      const why = planned.skippedMeetingMigrations[0]?.reason ?? 'none applies';
      return setOutcome({
        ok: false,
        message: `nothing to ${action} (${planned.skipped} left alone): ${why}`,
      });
    }
    setOutcome(null);
    question.ask(`${verb} ${touched(planned)} of ${what}?`, () => {
      const since = replayFrom(Date.now());
      void run(false, (answer) => `${done} ${touched(answer)}`).then((result) => {
        setOutcome(result);
        setMarked(new Set());
        if (result.ok) {
          setTracked({
            done,
            since,
            total: result.payload.migrations,
            states: new Map(result.payload.changedMeetingMigrations.map((m) => [m.id, m.state])),
          });
        }
        refreshGroups();
      });
    });
  }

  useKeys(
    ({ input, key }) => {
      const down = key.downArrow || input === 'j';
      const up = key.upArrow || input === 'k';
      if (key.tab) setPane(pane === 'groups' ? 'migrations' : 'groups');
      else if (pane === 'groups' && (down || up)) {
        choose(Math.max(0, Math.min(groups.length - 1, selected + (down ? 1 : -1))));
      } else if (pane === 'migrations' && (down || up)) {
        setFocusedRow((row) => Math.max(0, Math.min(rows.length - 1, row + (down ? 1 : -1))));
      } else if (input === ' ' && pane === 'migrations') {
        const row = rows[focusedRow];
        if (!row) return true;
        const next = new Set(marked);
        if (next.has(row.id)) next.delete(row.id);
        else next.add(row.id);
        setMarked(next);
      } else if (input === 'r' || input === 'c') void propose(input === 'r' ? 'retry' : 'cancel');
      else return false;
      return true;
    },
    { ready: groupsResult.data !== undefined, help: FAILURES_HELP },
  );

  if (groupsResult.error) return <Text color="red">{groupsResult.error.message}</Text>;
  const first = Math.max(0, Math.min(selected - groupLines + 1, groups.length - groupLines));
  return (
    <Box flexDirection="column" gap={1}>
      <Box flexDirection="column">
        <Text dimColor>Users by migration state</Text>
        <SummaryCounts summary={summary?.meetingMigrationSummaryUpdated ?? null} />
      </Box>
      <Box flexDirection="column">
        <Text dimColor wrap="truncate-end">
          Failures by reason ({groupsCount}){pane === 'groups' ? ' · ↑/↓ choose · tab: its migrations' : ''}
        </Text>
        {!groupsResult.data ? <Text dimColor>loading…</Text> : null}
        {groupsResult.data && groups.length === 0 ? <Text dimColor>no failures</Text> : null}
        {groups.slice(first, first + groupLines).map((g, i) => (
          <Text key={g.reason} wrap="truncate-end" inverse={pane === 'groups' && first + i === selected}>
            {first + i === selected ? '›' : ' '}{' '}
            <Text color="red">{String(g.failedMigrations).padStart(5)} failed</Text>{' '}
            <Text color="yellow">{String(g.retryingMigrations).padStart(4)} retrying</Text>{' '}
            {String(g.meetings).padStart(5)} meetings {g.reason}
          </Text>
        ))}
      </Box>
      <Box flexDirection="column">
        <Text dimColor wrap="truncate-end">
          Its migrations{marked.size > 0 ? ` · ${marked.size} marked` : ''}
          {pane === 'migrations' ? ' · ↑/↓ · space mark · tab: groups' : ''}
        </Text>
        {rows.map((row, i) => (
          <Text key={row.id} wrap="truncate-end" inverse={pane === 'migrations' && i === focusedRow}>
            {marked.has(row.id) ? '[x]' : '[ ]'}{' '}
            <Text color={STATE_COLORS[row.state]}>{row.state.padEnd(11)}</Text> {row.user.userPrincipalName}{' '}
            <Text dimColor>{row.lastMessage ?? ''}</Text>
          </Text>
        ))}
        {question.line ?? <OutcomeLine outcome={outcome} />}
        {tracked && !question.line ? (
          <Text wrap="truncate-end" color="cyan">
            {progressLine(tracked)}
          </Text>
        ) : null}
      </Box>
    </Box>
  );
}
