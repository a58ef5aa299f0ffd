/**
 * A yes/no question before a command, and the line that says what the command came to. While a question
 * is open it takes every key of its screen — y yes; n or Esc no — and keeps the app's keys away.
 */
import { Text } from 'ink';
import { useState } from 'react';
import type { Outcome } from '../commands.ts';
import { useKeys } from '../keyboard.ts';

export function useQuestion() {
  const [asked, setAsked] = useState<{ question: string; onYes: () => void } | null>(null);
  useKeys(
    ({ input, key }) => {
      if (!asked) return false;
      const yes = input === 'y' || input === 'Y';
      if (yes || input === 'n' || input === 'N' || key.escape) {
        setAsked(null);
        if (yes) asked.onYes();
      }
      return true;
    },
    {
      layer: 'modal',
      active: asked !== null,
      help: [
        { keys: 'y', what: 'yes' },
        { keys: 'n esc', what: 'no' },
      ],
    },
  );
  return {
    ask(question: string, onYes: () => void) {
      setAsked({ question, onYes });
    },
    /** The open question, to show where the outcome line goes. */
    line: asked ? (
      <Text wrap="truncate-end">
        <Text color="yellow" bold>
          ?
        </Text>{' '}
        {asked.question} <Text dimColor>y yes · n no</Text>
      </Text>
    ) : null,
  };
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
