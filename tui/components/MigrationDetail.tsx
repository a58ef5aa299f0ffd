/**
 * One migration: every field, and below them either the result for each meeting with its reason or every
 * trigger it absorbed with its outcome (tab switches), a page at a time. r retries a failed or cancelled
 * one, c cancels an open one, each after a y/n question. Refreshed every second while shown.
 */
import { Box, Text, useInput } from 'ink';
import { useState } from 'react';
import { commandDocument, type Outcome, useCommand } from '../commands.ts';
import { dateTime, meetingsDone, OUTCOME_COLORS, progressBar, STATE_COLORS } from '../format.ts';
import { type PageInfo, usePaging } from '../paging.ts';
import { usePolledQuery } from '../polled-query.ts';
import { OutcomeLine, useQuestion } from './Question.tsx';
import { TRIGGER_FIELDS, type Trigger, TriggerLine } from './TriggerLine.tsx';

export const MIGRATION_DETAIL = `query($id: ID!, $first: Int, $after: String, $last: Int, $before: String,
    $triggersFirst: Int, $triggersAfter: String, $triggersLast: Int, $triggersBefore: String) {
  node(id: $id) { ... on MeetingMigration {
    id correlationId state migrationType sourceMeetingType targetMeetingType
    createdAt modifiedAt notBefore startedAt finishedAt nextAttemptAt retryCount
    totalMeetings succeededMeetings failedMeetings skippedMeetings invitesUpdated lastMessage
    invitationsPending invitationsDelivered invitationsFailed
    user { userPrincipalName displayName }
    latestTrigger: triggers(first: 1) { edges { node { ${TRIGGER_FIELDS} } } }
    triggers(first: $triggersFirst, after: $triggersAfter, last: $triggersLast, before: $triggersBefore) {
      edges { node { ${TRIGGER_FIELDS} } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
    meetingResults(first: $first, after: $after, last: $last, before: $before) {
      edges { node { outcome reason meeting { id subject startsAt } } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  } }
}`;

interface Detail {
  id: string;
  correlationId: string;
  state: string;
  migrationType: string;
  sourceMeetingType: string;
  targetMeetingType: string;
  createdAt: string;
  modifiedAt: string;
  notBefore: string;
  startedAt: string | null;
  finishedAt: string | null;
  nextAttemptAt: string | null;
  retryCount: number;
  totalMeetings: number;
  succeededMeetings: number;
  failedMeetings: number;
  skippedMeetings: number;
  invitesUpdated: number;
  invitationsPending: number;
  invitationsDelivered: number;
  invitationsFailed: number;
  lastMessage: string | null;
  user: { userPrincipalName: string; displayName: string };
  latestTrigger: { edges: { node: Trigger }[] };
  triggers: { edges: { node: Trigger }[]; pageInfo: PageInfo };
  meetingResults: {
    edges: {
      node: { outcome: string; reason: string; meeting: { id: string; subject: string; startsAt: string } };
    }[];
    pageInfo: PageInfo;
  };
}

const RETRY = commandDocument(
  'retryMeetingMigration',
  'RetryMeetingMigrationInput',
  '... on RetryMeetingMigrationPayload { meetingMigration { state } }',
);
const CANCEL = commandDocument(
  'cancelMeetingMigration',
  'CancelMeetingMigrationInput',
  '... on CancelMeetingMigrationPayload { meetingMigration { state } }',
);
const stateOf = (payload: Record<string, unknown>) => (payload.meetingMigration as { state: string }).state;

type Action = 'retry' | 'cancel';

/** Two columns of labelled instants, and what follows the last line. */
function Times({ pairs, after }: { pairs: [string, string | null, string, string | null][]; after: string }) {
  return (
    <Box flexDirection="column">
      {pairs.map(([leftLabel, left, rightLabel, right], index) => (
        <Text key={leftLabel}>
          {leftLabel.padEnd(9)} {dateTime(left).padEnd(21)}
          {rightLabel.padEnd(11)} {dateTime(right)}
          {index === pairs.length - 1 ? after : ''}
        </Text>
      ))}
    </Box>
  );
}

export function MigrationDetail({ id, pageSize }: { id: string; pageSize: number }) {
  const [pane, setPane] = useState<'meetings' | 'triggers'>('meetings');
  const resultsPaging = usePaging(pageSize, `migration.${id}.results`);
  const triggersPaging = usePaging(pageSize, `migration.${id}.triggers`);
  const t = triggersPaging.variables;
  const question = useQuestion();
  const [result, refresh] = usePolledQuery<{ node: Detail | null }>({
    query: MIGRATION_DETAIL,
    variables: {
      id,
      ...resultsPaging.variables,
      triggersFirst: t.first,
      triggersAfter: t.after,
      triggersLast: t.last,
      triggersBefore: t.before,
    },
  });
  const retry = useCommand(RETRY, 'retryMeetingMigration');
  const cancel = useCommand(CANCEL, 'cancelMeetingMigration');
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const m = result.data?.node;
  const results = m?.meetingResults;
  useInput(
    (input, key) => {
      if (!m || question.answer(input, key)) return;
      if (input === 'r' || input === 'c') {
        const action: Action = input === 'r' ? 'retry' : 'cancel';
        question.ask(
          `${action === 'retry' ? 'Retry' : 'Cancel'} the migration of ${m.user.userPrincipalName}?`,
          () => {
            const command = action === 'retry' ? retry : cancel;
            void command(
              { migrationId: m.id },
              (payload) => `${action === 'retry' ? 'retried' : 'cancelled'}: now ${stateOf(payload)}`,
            ).then((said) => {
              setOutcome(said);
              refresh({ requestPolicy: 'network-only' });
            });
          },
        );
      } else if (key.tab) setPane(pane === 'meetings' ? 'triggers' : 'meetings');
      else if (key.rightArrow || key.leftArrow || input === 'n' || input === 'b') {
        const [paging, shown] =
          pane === 'meetings' ? [resultsPaging, m.meetingResults] : [triggersPaging, m.triggers];
        paging.onKey(input, key, shown.pageInfo, shown.edges.length);
      }
    },
    { isActive: question.active },
  );

  if (result.error) return <Text color="red">{result.error.message}</Text>;
  if (!result.data) return <Text dimColor>loading…</Text>;
  if (!m) return <Text color="red">no such migration (it may have been purged)</Text>;
  const done = meetingsDone(m);
  return (
    <Box flexDirection="column">
      <Box justifyContent="space-between">
        <Text wrap="truncate-end">
          <Text bold>Migration</Text> of {m.user.userPrincipalName}{' '}
          <Text dimColor>({m.user.displayName})</Text>
        </Text>
        <Text color={STATE_COLORS[m.state]} bold>
          {m.state}
        </Text>
      </Box>
      <Text wrap="truncate-end">
        {m.migrationType} · {m.sourceMeetingType} → {m.targetMeetingType} · correlation {m.correlationId}
      </Text>
      <Times
        pairs={[
          ['created', m.createdAt, 'not before', m.notBefore],
          ['started', m.startedAt, 'finished', m.finishedAt],
          ['modified', m.modifiedAt, 'next try', m.nextAttemptAt],
        ]}
        after={` · retries ${m.retryCount}`}
      />
      <Text wrap="truncate-end">
        {progressBar(done, m.totalMeetings, 12)} {done}/{m.totalMeetings} meetings: {m.succeededMeetings}{' '}
        updated, {m.failedMeetings} failed, {m.skippedMeetings} skipped
      </Text>
      <Text wrap="truncate-end" color={m.invitationsFailed > 0 ? 'red' : undefined}>
        {m.invitesUpdated} invitations: {m.invitationsDelivered} delivered, {m.invitationsPending} pending,{' '}
        {m.invitationsFailed} failed
      </Text>
      <Text wrap="truncate-end" color={m.state === 'FAILED' ? 'red' : undefined}>
        last message: {m.lastMessage ?? '—'}
      </Text>
      {m.latestTrigger.edges[0] ? (
        <Text wrap="truncate-end">
          <Text dimColor>latest trigger </Text>
          <TriggerLine trigger={m.latestTrigger.edges[0].node} />
        </Text>
      ) : null}
      {question.line ?? <OutcomeLine outcome={outcome} />}
      <Box flexDirection="column" marginTop={1}>
        {pane === 'meetings' ? (
          <>
            <Text dimColor>Meetings · tab: triggers</Text>
            {results?.edges.length === 0 ? <Text dimColor>none looked at yet</Text> : null}
            {results?.edges.map(({ node: r }) => (
              <Text key={r.meeting.id} wrap="truncate-end">
                <Text color={OUTCOME_COLORS[r.outcome]}>{r.outcome.padEnd(7)}</Text>{' '}
                {dateTime(r.meeting.startsAt)} {r.meeting.subject} · {r.reason}
              </Text>
            ))}
          </>
        ) : (
          <>
            <Text dimColor>Triggers absorbed, newest first · tab: meetings</Text>
            {m.triggers.edges.map(({ node }) => (
              <TriggerLine key={node.id} trigger={node} />
            ))}
          </>
        )}
      </Box>
    </Box>
  );
}
