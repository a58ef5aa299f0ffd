/** A yes/no question that holds the keyboard until it is answered: y yes; n or Esc no. */
import { Text, useInput } from 'ink';
import type { Outcome } from '../commands.ts';
import { useCapture } from '../keyboard.ts';

export function Confirm({ question, onAnswer }: { question: string; onAnswer: (yes: boolean) => void }) {
  const active = useCapture(true);
  useInput(
    (input, key) => {
      if (input === 'y' || input === 'Y') onAnswer(true);
      else if (input === 'n' || input === 'N' || key.escape) onAnswer(false);
    },
    { isActive: active },
  );
  return (
    <Text>
      <Text color="yellow" bold>
        ?
      </Text>{' '}
      {question} <Text dimColor>y yes · n no</Text>
    </Text>
  );
}

/** What the last command came to: green when done, red with the server's reason when not. */
export function OutcomeLine({ outcome }: { outcome: Outcome | null }) {
  if (!outcome) return null;
  return (
    <Text color={outcome.ok ? 'green' : 'red'} wrap="truncate-end">
      {outcome.ok ? '✓' : '✗'} {outcome.message}
    </Text>
  );
}
