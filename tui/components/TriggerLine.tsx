/** A trigger evaluation: what changed, and what came of it in words. */
import { Text } from 'ink';
import { dateTime, OUTCOME_COLORS } from '../format.ts';
import { graphql, type ResultOf } from '../graphql.ts';

export const TRIGGER_FIELDS = graphql(`
  fragment TriggerFields on TriggerEvaluation { id kind detail outcome message occurredAt }
`);

export type Trigger = ResultOf<typeof TRIGGER_FIELDS>;

export function TriggerLine({ trigger }: { trigger: Trigger }) {
  return (
    <Text wrap="truncate-end">
      {dateTime(trigger.occurredAt).slice(5)} {trigger.kind}{' '}
      <Text color={OUTCOME_COLORS[trigger.outcome]}>{trigger.outcome}</Text> {trigger.detail} ·{' '}
      {trigger.message}
    </Text>
  );
}
