/**
 * Trigger evaluations as they happen, newest first, in a scrollable table (the table's keys), with their outcomes in words: why a change did or did
 * not start a migration. The latest ones are read once; then triggerEvaluated adds each new one, and
 * replays from (a little before) when the screen opened after a reconnection, so none is missed; none is
 * shown twice.
 */
import { Box, Text } from 'ink';
import { useMemo, useState } from 'react';
import { useQuery, useSubscription } from 'urql';
import { useNow } from '../clock.ts';
import { replayFrom } from '../connection.ts';
import { ago, OUTCOME_COLORS } from '../format.ts';
import { graphql, type ResultOf } from '../graphql.ts';
import { useKeys } from '../keyboard.ts';
import { type Column, column, TABLE_HELP, useTable } from './Table.tsx';
import { TRIGGER_FIELDS } from './TriggerLine.tsx';

const EVALUATION = graphql(
  `fragment Evaluation on TriggerEvaluation { ...TriggerFields user { userPrincipalName } }`,
  [TRIGGER_FIELDS],
);
export const LATEST_EVALUATIONS = graphql(
  `query LatestEvaluations($first: Int) {
    tenant { triggerEvaluations(first: $first) { edges { node { ...Evaluation } } } }
  }`,
  [EVALUATION],
);
export const EVALUATIONS_SUBSCRIPTION = graphql(
  `subscription EvaluationEvents($since: DateTime) { triggerEvaluated(since: $since) { ...Evaluation } }`,
  [EVALUATION],
);

type Evaluation = ResultOf<typeof EVALUATION>;

/** Evaluations kept on screen at most, newest first. */
const KEPT = 200;

function columnsAt(now: number): Column<Evaluation>[] {
  return [
    column('WHEN', 12, (e) => e.occurredAt, { text: (e) => ago(e.occurredAt, now) }),
    column('OUTCOME', 7, (e) => e.outcome, { color: (e) => OUTCOME_COLORS[e.outcome] }),
    column('KIND', 16, (e) => e.kind, { grow: 4, priority: 2 }),
    column('USER', 18, (e) => e.user?.userPrincipalName ?? 'tenant-wide', { grow: 8 }),
    { title: 'WHAT CAME OF IT', width: 16, grow: 100, text: (e) => `${e.detail}: ${e.message}` },
  ];
}

export function Activity({ height, width = 80 }: { height: number; width?: number }) {
  const now = useNow();
  const [since] = useState(() => replayFrom(Date.now()));
  const [latest] = useQuery({ query: LATEST_EVALUATIONS, variables: { first: KEPT } });
  const [live] = useSubscription(
    { query: EVALUATIONS_SUBSCRIPTION, variables: { since } },
    (arrived: Evaluation[] = [], { triggerEvaluated }) => [triggerEvaluated, ...arrived].slice(0, KEPT),
  );
  const evaluations = useMemo(() => {
    const byId = new Map<string, Evaluation>();
    for (const evaluation of [
      ...(live.data ?? []),
      ...(latest.data?.tenant?.triggerEvaluations.edges ?? []).map((e) => e.node),
    ])
      if (!byId.has(evaluation.id)) byId.set(evaluation.id, evaluation);
    // A replay after a reconnection brings back ones already shown: order by when they happened.
    return [...byId.values()].sort((a, b) => b.occurredAt.localeCompare(a.occurredAt)).slice(0, KEPT);
  }, [live.data, latest.data]);
  const loaded = latest.data !== undefined || latest.error !== undefined;
  const table = useTable(loaded ? evaluations : undefined, {
    memoryKey: 'activity.table',
    columns: columnsAt(now),
    rowKey: (e) => e.id,
    width,
    height: height - 1,
  });
  useKeys(table.onKey, { ready: loaded, help: TABLE_HELP });

  const error = latest.error ?? live.error;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>Activity</Text>
        <Text dimColor> · each change that may start a migration, and what came of it</Text>
      </Text>
      {error ? <Text color="red">{error.message}</Text> : null}
      {latest.data && evaluations.length === 0 ? <Text dimColor>nothing evaluated yet</Text> : table.view}
    </Box>
  );
}
