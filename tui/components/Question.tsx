/**
 * A yes/no question before a command, and the line that says what the command came to. While a question
 * is open it takes every key of its screen — y yes; n or Esc no — and keeps the app's keys away.
 */
import { type Key, Text } from 'ink';
import { useRef, useState } from 'react';
import type { Outcome } from '../commands.ts';
import { useCapture } from '../keyboard.ts';

export function useQuestion() {
  const [asked, setAsked] = useState<string | null>(null);
  // Keys can come faster than renders: a y right after the key that asked must still find the question.
  const open = useRef<{ onYes: () => void } | null>(null);
  const active = useCapture(asked !== null);
  return {
    /** Whether the screen listens to keys at all. */
    active,
    ask(question: string, onYes: () => void) {
      open.current = { onYes };
      setAsked(question);
    },
    /** Takes the key when a question is open; false when none is. */
    answer(input: string, key: Key): boolean {
      const question = open.current;
      if (!question) return false;
      const yes = input === 'y' || input === 'Y';
      if (yes || input === 'n' || input === 'N' || key.escape) {
        open.current = null;
        setAsked(null);
        if (yes) question.onYes();
      }
      return true;
    },
    /** The open question, to show where the outcome line goes. */
    line: asked ? (
      <Text>
        <Text color="yellow" bold>
          ?
        </Text>{' '}
        {asked} <Text dimColor>y yes · n no</Text>
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
