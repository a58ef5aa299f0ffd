/**
 * Failures grouped by reason, fixed in bulk (SPEC §9). The groups, largest first, and the migrations of the
 * selected one; r retries, c cancels the marked migrations (space marks) or else the whole group. Before
 * anything runs, a dry run says how many migrations and meetings it will touch, and asks y/n. The groups
 * and the counts then follow the work live.
 */
import { Box, Text } from 'ink';
import { useState } from 'react';
import { useSubscription } from 'urql';
import { commandDocument, type Outcome, useCommand } from '../commands.ts';
import { replayFrom } from '../connection.ts';
import { STATE_COLORS } from '../format.ts';
import { type KeyHelp, useKeys } from '../keyboard.ts';
import { usePolledQuery } from '../polled-query.ts';
import { SUMMARY_SUBSCRIPTION, type Summary, SummaryCounts } from './Dashboard.tsx';
import { OutcomeLine, useQuestion } from './Question.tsx';

export const FAILURE_GROUPS = `query {
  meetingMigrationFailureGroups(first: 500) {
    edges { node { reason failedMigrations retryingMigrations meetings } }
  }
}`;
export const GROUP_MIGRATIONS = `query($reason: String, $first: Int) {
  meetingMigrations(failureReason: $reason, first: $first) {
    edges { node { id state lastMessage user { userPrincipalName } } }
  }
}`;

interface Group {
  reason: string;
  failedMigrations: number;
  retryingMigrations: number;
  meetings: number;
}
interface Row {
  id: string;
  state: string;
  lastMessage: string | null;
  user: { userPrincipalName: string };
}

const FAILURES_HELP: KeyHelp[] = [
  { keys: '↑ ↓ j k', what: 'choose a group, or a migration of it' },
  { keys: 'tab', what: 'between the groups and the migrations of the chosen one' },
  { keys: 'space', what: 'mark a migration; r and c then act on the marked ones' },
  { keys: 'r', what: 'retry the group (or the marked), after a dry run and y/n' },
  { keys: 'c', what: 'cancel the group (or the marked), after a dry run and y/n' },
];

const BULK_FIELDS =
  'dryRun migrations meetings skipped skippedMeetingMigrations { reason } meetingMigrations { id state }';
const PROGRESS = `subscription($since: DateTime) {
  meetingMigrationUpdated(since: $since) { id state }
}`;
const BULK = {
  retry: {
    field: 'retryMeetingMigrations',
    document: commandDocument(
      'retryMeetingMigrations',
      'RetryMeetingMigrationsInput',
      `... on RetryMeetingMigrationsPayload { ${BULK_FIELDS} }`,
    ),
    verb: 'Retry',
    done: 'retried',
  },
  cancel: {
    field: 'cancelMeetingMigrations',
    document: commandDocument(
      'cancelMeetingMigrations',
      'CancelMeetingMigrationsInput',
      `... on CancelMeetingMigrationsPayload { ${BULK_FIELDS} }`,
    ),
    verb: 'Cancel',
    done: 'cancelled',
  },
} as const;
type Action = keyof typeof BULK;

interface BulkAnswer {
  migrations: number;
  meetings: number;
  skipped: number;
  skippedMeetingMigrations: { reason: string }[];
  /** The first 100 of them. */
  meetingMigrations: { id: string; state: string }[];
}

/** The migrations a bulk command changed, followed live: the state of each (the first 100) by id. */
interface Tracked {
  done: string;
  /** Changes replayed from here (a little before the command, for clocks that disagree) on. */
  since: string;
  total: number;
  states: Map<string, string>;
}

/** "retried 12: 4 waiting · 3 running · 5 finished (2 failed)". */
function progressLine(tracked: Tracked): string {
  const states = [...tracked.states.values()];
  const count = (...of: string[]) => states.filter((state) => of.includes(state)).length;
  const failed = count('FAILED');
  const followed = tracked.total > states.length ? ` (the first ${states.length} followed)` : '';
  return (
    `${tracked.done} ${tracked.total}${followed}: ${count('PENDING')} waiting · ${count('IN_PROGRESS')} running · ` +
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
  useSubscription<{ meetingMigrationUpdated: { id: string; state: string } }, null>(
    { query: PROGRESS, variables: { since: tracked?.since ?? null }, pause: !tracked },
    (_previous, { meetingMigrationUpdated: event }) => {
      setTracked((current) =>
        current?.states.has(event.id) && current.states.get(event.id) !== event.state
          ? { ...current, states: new Map(current.states).set(event.id, event.state) }
          : current,
      );
      return null;
    },
  );
  const retry = useCommand(BULK.retry.document, BULK.retry.field);
  const cancel = useCommand(BULK.cancel.document, BULK.cancel.field);
  const [{ data: summary }] = useSubscription<{ meetingMigrationSummaryUpdated: Summary }>({
    query: SUMMARY_SUBSCRIPTION,
  });
  const [groupsResult, refreshGroups] = usePolledQuery<{
    meetingMigrationFailureGroups: { edges: { node: Group }[] };
  }>({
    query: FAILURE_GROUPS,
    variables: {},
  });
  const groups = groupsResult.data?.meetingMigrationFailureGroups.edges.map((edge) => edge.node) ?? [];
  const group = groups[Math.min(selected, groups.length - 1)];
  // Counts (2), the gaps and labels (4), the question and progress lines (2): the rest is shared by groups
  // and rows.
  const room = Math.max(4, height - 8);
  const groupLines = Math.max(1, Math.min(groups.length, Math.floor(room / 2)));
  const rowLines = Math.max(1, room - groupLines);
  const [rowsResult] = usePolledQuery<{ meetingMigrations: { edges: { node: Row }[] } }>({
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
    const command = action === 'retry' ? retry : cancel;
    const selection = marked.size > 0 ? { migrationIds: [...marked] } : { failureReason: group.reason };
    const what = marked.size > 0 ? `the ${plural(marked.size, 'marked migration')}` : 'the selected group';
    let dry: BulkAnswer | null = null;
    const said = await command({ ...selection, dryRun: true }, (payload) => {
      dry = payload as unknown as BulkAnswer;
      return '';
    });
    if (!said.ok || !dry) return setOutcome(said);
    const planned: BulkAnswer = dry;
    if (planned.migrations === 0) {
      const why = planned.skippedMeetingMigrations[0]?.reason ?? 'none applies';
      return setOutcome({
        ok: false,
        message: `nothing to ${action} (${planned.skipped} left alone): ${why}`,
      });
    }
    setOutcome(null);
    question.ask(`${verb} ${touched(planned)} of ${what}?`, () => {
      let answer: BulkAnswer | null = null;
      const since = replayFrom(Date.now());
      void command(selection, (payload) => {
        answer = payload as unknown as BulkAnswer;
        return `${done} ${touched(answer)}`;
      }).then((result) => {
        setOutcome(result);
        setMarked(new Set());
        const made: BulkAnswer | null = answer;
        if (made) {
          setTracked({
            done,
            since,
            total: made.migrations,
            states: new Map(made.meetingMigrations.map((m) => [m.id, m.state])),
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
          Failures by reason ({groups.length}){pane === 'groups' ? ' · ↑/↓ choose · tab: its migrations' : ''}
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
