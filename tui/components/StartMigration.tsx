/**
 * Starting a migration for one user: choose the source and target meeting types and see, meeting by
 * meeting, what the migration would do (meetingMigrationPreview) before Enter starts it. Esc backs out.
 */
import { Box, Text } from 'ink';
import { useReducer, useState } from 'react';
import { useQuery } from 'urql';
import { COMMAND_ERROR, type Outcome, useCommand } from '../commands.ts';
import { dateTime, OUTCOME_COLORS } from '../format.ts';
import { graphql, type VariablesOf } from '../graphql.ts';
import { useKeys } from '../keyboard.ts';
import { truncate } from '../width.ts';

export const PREVIEW = graphql(`
  query MigrationPreview($userId: ID!, $source: SourceMeetingType!, $target: TargetMeetingType!, $first: Int) {
    meetingMigrationPreview(userId: $userId, sourceMeetingType: $source, targetMeetingType: $target) {
      migrationType totalMeetings updatedMeetings skippedMeetings failedMeetings ineligibleBecause
      meetings(first: $first) { edges { node { outcome reason meeting { id subject startsAt } } } }
    }
  }
`);

const START = graphql(
  `mutation StartMeetingMigration($input: StartMeetingMigrationInput!) {
    startMeetingMigration(input: $input) {
      __typename ...CommandError
      ... on StartMeetingMigrationPayload { triggerEvaluation { message } }
    }
  }`,
  [COMMAND_ERROR],
);

type Source = VariablesOf<typeof PREVIEW>['source'];
type Target = VariablesOf<typeof PREVIEW>['target'];
const SOURCES: readonly Source[] = ['ALL', 'SKYPE_FOR_BUSINESS', 'TEAMS'];
const TARGETS: readonly Target[] = ['CURRENT', 'TEAMS'];

interface Choice {
  field: 'source' | 'target';
  source: Source;
  target: Target;
}

/** The value `move` steps from `current` to, round the ends. */
function step<Value>(values: readonly Value[], current: Value, move: 1 | -1): Value {
  return values[(values.indexOf(current) + move + values.length) % values.length] ?? current;
}

/** Moves to the other field, or steps the focused field's value forward or back. */
function nextChoice(choice: Choice, move: 'other field' | 1 | -1): Choice {
  if (move === 'other field') return { ...choice, field: choice.field === 'source' ? 'target' : 'source' };
  return choice.field === 'source'
    ? { ...choice, source: step(SOURCES, choice.source, move) }
    : { ...choice, target: step(TARGETS, choice.target, move) };
}

export function StartMigration({
  user,
  previewRows,
  width = 80,
  onDone,
}: {
  user: { id: string; userPrincipalName: string };
  previewRows: number;
  width?: number;
  /** With the outcome once started; with null when the operator backed out. */
  onDone: (outcome: Outcome | null) => void;
}) {
  // A reducer, so keys that come faster than renders each see the choice the one before left.
  const [{ field, source, target }, choose] = useReducer(nextChoice, {
    field: 'source',
    source: 'ALL',
    target: 'CURRENT',
  });
  const [starting, setStarting] = useState(false);
  const start = useCommand(START, (data) => data.startMeetingMigration);
  const [{ data, error }] = useQuery({
    query: PREVIEW,
    variables: { userId: user.id, source, target, first: previewRows },
  });
  const preview = data?.meetingMigrationPreview;

  useKeys(
    ({ key }) => {
      if (starting) return true;
      if (key.escape) onDone(null);
      else if (key.tab || key.upArrow || key.downArrow) choose('other field');
      else if (key.leftArrow) choose(-1);
      else if (key.rightArrow) choose(1);
      else if (key.return && preview) {
        setStarting(true);
        void start(
          { input: { userId: user.id, sourceMeetingType: source, targetMeetingType: target } },
          (payload) => payload.triggerEvaluation.message,
        ).then(onDone);
      }
      return true;
    },
    {
      layer: 'modal',
      // Enter starts what the preview shows: a key typed ahead waits for the preview of the choice made.
      ready: data !== undefined || error !== undefined,
      help: [
        { keys: '← →', what: 'change the value' },
        { keys: 'tab ↑ ↓', what: 'the other field' },
        { keys: '⏎', what: 'start' },
        { keys: 'esc', what: 'back' },
      ],
    },
  );
  // Inside the border and its padding.
  const inner = Math.max(10, width - 4);

  const choice = (name: 'source' | 'target', value: string) => (
    <Text>
      {name}{' '}
      <Text bold={field === name} inverse={field === name}>
        ‹{value}›
      </Text>
    </Text>
  );
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Text bold wrap="truncate-end">
        {truncate(`Start a migration for ${user.userPrincipalName}`, inner)}
      </Text>
      <Box gap={3}>
        {choice('source', source)}
        {choice('target', target)}
      </Box>
      {error ? <Text color="red">{error.message}</Text> : null}
      {!preview ? (
        <Text dimColor>previewing…</Text>
      ) : (
        <Box flexDirection="column">
          <Text wrap="truncate-end">
            would run {preview.migrationType} on {preview.totalMeetings} meetings:{' '}
            <Text color="green">{preview.updatedMeetings} updated</Text>, {preview.skippedMeetings} skipped,{' '}
            <Text color={preview.failedMeetings > 0 ? 'red' : undefined}>
              {preview.failedMeetings} failed
            </Text>
          </Text>
          {preview.ineligibleBecause ? (
            <Text color="red" wrap="truncate-end">
              not eligible: {preview.ineligibleBecause}
            </Text>
          ) : null}
          {preview.meetings.edges.map(({ node }) => (
            <Text key={node.meeting.id} wrap="truncate-end">
              <Text color={OUTCOME_COLORS[node.outcome]}>{node.outcome.padEnd(7)}</Text>{' '}
              {truncate(
                `${dateTime(node.meeting.startsAt)} ${node.meeting.subject} · ${node.reason}`,
                inner - 8,
              )}
            </Text>
          ))}
        </Box>
      )}
      <Text dimColor>{starting ? 'starting…' : '←/→ change · tab other field · ⏎ start · esc back'}</Text>
    </Box>
  );
}
