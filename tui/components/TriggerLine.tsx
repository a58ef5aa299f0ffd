/** A trigger evaluation: what changed, and what came of it in words. */
import { Text } from 'ink';
import { dateTime, OUTCOME_COLORS } from '../format.ts';

export const TRIGGER_FIELDS = 'id kind detail outcome message occurredAt';

export interface Trigger {
  id: string;
  kind: string;
  detail: string;
  outcome: string;
  message: string;
  occurredAt: string;
}

export function TriggerLine({ trigger }: { trigger: Trigger }) {
  return (
    <Text wrap="truncate-end">
      {dateTime(trigger.occurredAt).slice(5)} {trigger.kind}{' '}
      <Text color={OUTCOME_COLORS[trigger.outcome]}>{trigger.outcome}</Text> {trigger.detail} ·{' '}
      {trigger.message}
    </Text>
  );
}
