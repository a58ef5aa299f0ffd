/**
 * One migration, whole: every field, the full last message, and either the result of each meeting with its
 * full reason or every trigger it absorbed (tab switches), in one scrollable view. j/k (↑/↓, PgUp/PgDn,
 * g/G) move the focus; y copies the focused value (the correlation ID, the message, a reason) to the
 * clipboard through OSC 52. r retries a failed or cancelled one and c cancels an open one, each after a
 * y/n question; neither is offered where it does not apply. Refreshed every second while shown.
 */
import { Box, Text, useStdout } from 'ink';
import { useState } from 'react';
import { COMMAND_ERROR, type Outcome, useCommand } from '../commands.ts';
import { ago, dateTime, meetingsDone, OUTCOME_COLORS, progressBar, STATE_COLORS } from '../format.ts';
import { graphql, type ResultOf } from '../graphql.ts';
import { isDown, isUp, type KeyHelp, useKeys } from '../keyboard.ts';
import { usePolledQuery } from '../polled-query.ts';
import { useRemembered } from '../screen-memory.ts';
import { fitWidth, truncate, wrapLines } from '../width.ts';
import { OutcomeLine, useQuestion } from './Question.tsx';
import { TRIGGER_FIELDS } from './TriggerLine.tsx';

/** Results and triggers read at most: the server's largest page. */
const SHOWN = 500;

const DETAIL = graphql(
  `fragment MigrationDetail on MeetingMigration {
    id correlationId state migrationType sourceMeetingType targetMeetingType
    createdAt modifiedAt notBefore startedAt finishedAt nextAttemptAt retryCount
    totalMeetings succeededMeetings failedMeetings skippedMeetings invitesUpdated lastMessage
    invitationsPending invitationsDelivered invitationsFailed
    user { userPrincipalName displayName }
    latestTrigger: triggers(first: 1) { edges { node { ...TriggerFields } } }
    triggers(first: $first) {
      edges { node { ...TriggerFields } }
      pageInfo { hasNextPage }
    }
    meetingResults(first: $first) {
      edges { node { outcome reason meeting { id subject startsAt } } }
      pageInfo { hasNextPage }
    }
  }`,
  [TRIGGER_FIELDS],
);
export const MIGRATION_DETAIL = graphql(
  `query MigrationDetail($id: ID!, $first: Int) { node(id: $id) { __typename ...MigrationDetail } }`,
  [DETAIL],
);

type Detail = ResultOf<typeof DETAIL>;

const RETRY = graphql(
  `mutation RetryMeetingMigration($input: RetryMeetingMigrationInput!) {
    retryMeetingMigration(input: $input) {
      __typename ...CommandError
      ... on RetryMeetingMigrationPayload { meetingMigration { state } }
    }
  }`,
  [COMMAND_ERROR],
);
const CANCEL = graphql(
  `mutation CancelMeetingMigration($input: CancelMeetingMigrationInput!) {
    cancelMeetingMigration(input: $input) {
      __typename ...CommandError
      ... on CancelMeetingMigrationPayload { meetingMigration { state } }
    }
  }`,
  [COMMAND_ERROR],
);

type Action = 'retry' | 'cancel';
const RETRYABLE = ['FAILED', 'CANCELLED'];
const CANCELLABLE = ['PENDING', 'IN_PROGRESS'];

/** The keys that apply to a migration in `state`. */
export function detailKeys(state: string | undefined): KeyHelp[] {
  return [
    { keys: 'j k ↑ ↓', what: 'move the focus' },
    { keys: 'g G PgUp PgDn', what: 'first, last, a screenful' },
    { keys: 'y', what: 'copy the focused value' },
    { keys: 'tab', what: 'meetings or triggers' },
    ...(state && RETRYABLE.includes(state) ? [{ keys: 'r', what: 'retry (asks y/n first)' }] : []),
    ...(state && CANCELLABLE.includes(state) ? [{ keys: 'c', what: 'cancel (asks y/n first)' }] : []),
    { keys: 'esc', what: 'back' },
  ];
}

/** A line of the detail: what it shows, its colour, and what y copies while it has the focus. */
interface DetailLine {
  text: string;
  color?: string;
  dim?: boolean;
  copy?: { what: string; value: string };
}

/** Copies `value` to the terminal's clipboard: OSC 52, which terminals and tmux pass to the system. */
export function osc52(value: string): string {
  return `\u001b]52;c;${Buffer.from(value, 'utf8').toString('base64')}\u0007`;
}

function detailLines(m: Detail, pane: 'meetings' | 'triggers', width: number, now: number): DetailLine[] {
  const when = (label: string, iso: string | null) => ({
    text: `${fitWidth(label, 11)}${iso ? `${dateTime(iso)} (${ago(iso, now)})` : '—'}`,
    ...(iso ? { copy: { what: label, value: iso } } : {}),
  });
  const done = meetingsDone(m);
  const message = m.lastMessage ?? '—';
  const lines: DetailLine[] = [
    { text: `${m.migrationType} · ${m.sourceMeetingType} → ${m.targetMeetingType}` },
    {
      text: `correlation ${m.correlationId}`,
      copy: { what: 'correlation ID', value: m.correlationId },
    },
    when('created', m.createdAt),
    when('not before', m.notBefore),
    when('started', m.startedAt),
    when('finished', m.finishedAt),
    when('modified', m.modifiedAt),
    {
      text: `${fitWidth('next try', 11)}${m.nextAttemptAt ? dateTime(m.nextAttemptAt) : '—'} · retries ${m.retryCount}`,
    },
    {
      text: `${progressBar(done, m.totalMeetings, 12)} ${done}/${m.totalMeetings} meetings: ${m.succeededMeetings} updated, ${m.failedMeetings} failed, ${m.skippedMeetings} skipped`,
    },
    {
      text: `${m.invitesUpdated} invitations: ${m.invitationsDelivered} delivered, ${m.invitationsPending} pending, ${m.invitationsFailed} failed`,
      color: m.invitationsFailed > 0 ? 'red' : undefined,
    },
    ...wrapLines(`last message: ${message}`, width).map((text) => ({
      text,
      color: m.state === 'FAILED' ? 'red' : undefined,
      copy: { what: 'last message', value: message },
    })),
  ];
  const latest = m.latestTrigger.edges[0]?.node;
  if (latest)
    lines.push({
      text: `latest trigger ${dateTime(latest.occurredAt).slice(5)} ${latest.kind} ${latest.outcome} ${latest.detail} · ${latest.message}`,
      copy: {
        what: 'trigger',
        value: `${latest.kind} ${latest.outcome} ${latest.detail} · ${latest.message}`,
      },
    });
  lines.push({ text: '' });
  if (pane === 'meetings') {
    const results = m.meetingResults;
    lines.push({ text: 'Meetings · tab: triggers', dim: true });
    if (results.edges.length === 0) lines.push({ text: 'none looked at yet', dim: true });
    for (const { node: r } of results.edges) {
      const value = `${r.meeting.subject} · ${r.reason}`;
      wrapLines(`${r.outcome.padEnd(7)} ${dateTime(r.meeting.startsAt)} ${value}`, width).forEach(
        (text, index) => {
          lines.push({
            text: index === 0 ? text : `        ${text}`,
            color: index === 0 ? OUTCOME_COLORS[r.outcome] : undefined,
            copy: { what: 'reason', value: r.reason },
          });
        },
      );
    }
    if (results.pageInfo.hasNextPage) lines.push({ text: `… the first ${SHOWN} shown`, dim: true });
  } else {
    lines.push({ text: 'Triggers absorbed, newest first · tab: meetings', dim: true });
    for (const { node } of m.triggers.edges)
      lines.push({
        text: `${dateTime(node.occurredAt).slice(5)} ${node.kind} ${node.outcome} ${node.detail} · ${node.message}`,
        color: OUTCOME_COLORS[node.outcome],
        copy: { what: 'trigger', value: `${node.kind} ${node.outcome} ${node.detail} · ${node.message}` },
      });
  }
  return lines;
}

export function MigrationDetail({ id, height, width = 80 }: { id: string; height: number; width?: number }) {
  const [pane, setPane] = useState<'meetings' | 'triggers'>('meetings');
  const [focus, setFocus] = useRemembered(`migration.${id}.focus`, { line: 1, top: 0 });
  const question = useQuestion();
  const { stdout } = useStdout();
  const [result, refresh, current] = usePolledQuery({
    query: MIGRATION_DETAIL,
    variables: { id, first: SHOWN },
  });
  const retry = useCommand(RETRY, (data) => data.retryMeetingMigration);
  const cancel = useCommand(CANCEL, (data) => data.cancelMeetingMigration);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const node = result.data?.node;
  const m = node?.__typename === 'MeetingMigration' ? node : undefined;
  const lines = m ? detailLines(m, pane, width - 2, Date.now()) : [];
  // The title above, the outcome line below.
  const visible = Math.max(1, height - 2);
  const line = Math.max(0, Math.min(focus.line, lines.length - 1));
  const moveTo = (next: number) => {
    const target = Math.max(0, Math.min(next, lines.length - 1));
    let top = Math.min(focus.top, target);
    if (target >= top + visible) top = target - visible + 1;
    setFocus({ line: target, top });
  };
  const top = Math.max(0, Math.min(focus.top, line, Math.max(0, lines.length - visible)));
  const shownTop = line >= top + visible ? line - visible + 1 : top;

  useKeys(
    (press) => {
      const { input, key } = press;
      if (!m) return false;
      if (isDown(press)) moveTo(line + 1);
      else if (isUp(press)) moveTo(line - 1);
      else if (input === 'g' || key.home) moveTo(0);
      else if (input === 'G' || key.end) moveTo(lines.length - 1);
      else if (key.pageDown || (key.ctrl && input === 'f')) moveTo(line + visible);
      else if (key.pageUp || (key.ctrl && input === 'b')) moveTo(line - visible);
      else if (key.tab) setPane(pane === 'meetings' ? 'triggers' : 'meetings');
      else if (input === 'y') {
        const copy = lines[line]?.copy ?? { what: 'line', value: lines[line]?.text ?? '' };
        stdout.write(osc52(copy.value));
        setOutcome({ ok: true, message: `copied the ${copy.what} (${copy.value.length} characters)` });
      } else if (
        (input === 'r' && RETRYABLE.includes(m.state)) ||
        (input === 'c' && CANCELLABLE.includes(m.state))
      ) {
        const action: Action = input === 'r' ? 'retry' : 'cancel';
        question.ask(
          `${action === 'retry' ? 'Retry' : 'Cancel'} the migration of ${m.user.userPrincipalName}?`,
          () => {
            const variables = { input: { migrationId: m.id } };
            const run =
              action === 'retry'
                ? retry(variables, (payload) => `retried: now ${payload.meetingMigration.state}`)
                : cancel(variables, (payload) => `cancelled: now ${payload.meetingMigration.state}`);
            void run.then((said) => {
              setOutcome(said);
              refresh();
            });
          },
        );
      } else return false;
      return true;
    },
    { ready: current, help: detailKeys(m?.state) },
  );

  if (result.error) return <Text color="red">{result.error.message}</Text>;
  if (!result.data) return <Text dimColor>loading…</Text>;
  if (!m) return <Text color="red">no such migration (it may have been purged)</Text>;
  const title = truncate(
    `Migration of ${m.user.userPrincipalName} (${m.user.displayName})`,
    width - m.state.length - 1,
  );
  return (
    <Box flexDirection="column">
      <Box justifyContent="space-between" width={width}>
        <Text bold wrap="truncate-end">
          {title}
        </Text>
        <Text color={STATE_COLORS[m.state]} bold>
          {m.state}
        </Text>
      </Box>
      {lines.slice(shownTop, shownTop + visible).map((l, offset) => {
        const focused = shownTop + offset === line;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines have no identity but their place
          <Text key={offset} wrap="truncate-end" color={l.color} dimColor={l.dim} inverse={focused}>
            {focused ? '›' : ' '} {truncate(l.text, width - 2)}
          </Text>
        );
      })}
      {question.line ?? <OutcomeLine outcome={outcome} />}
    </Box>
  );
}
