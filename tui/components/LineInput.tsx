/**
 * A one-line text field that edits like a shell line: typed or pasted text goes in, Backspace takes the
 * last whole grapheme, Ctrl-U clears, Ctrl-W takes the last word, Enter submits, Esc cancels. It holds the
 * keyboard while shown.
 */
import { Text } from 'ink';
import { useState } from 'react';
import { useKeys } from '../keyboard.ts';
import { columns, graphemes, oneLine } from '../width.ts';

export function LineInput({
  label,
  initial = '',
  placeholder = '',
  width = 80,
  onSubmit,
  onCancel,
}: {
  label: string;
  initial?: string;
  placeholder?: string;
  width?: number;
  onSubmit: (value: string) => void;
  onCancel: () => void;
}) {
  const [value, setValue] = useState(initial);
  useKeys(
    ({ input, key }) => {
      if (key.return) onSubmit(value);
      else if (key.escape) onCancel();
      else if (key.ctrl && input === 'u') setValue('');
      else if (key.ctrl && input === 'w') setValue(value.replace(/\S*\s*$/, ''));
      else if (key.backspace || key.delete) setValue(graphemes(value).slice(0, -1).join(''));
      else if (input && !key.ctrl && !key.meta) setValue(value + oneLine(input));
      return true;
    },
    {
      layer: 'modal',
      help: [
        { keys: '⏎', what: 'search' },
        { keys: 'esc', what: 'cancel' },
        { keys: 'Ctrl-U', what: 'clear' },
      ],
    },
  );
  // The end of a long value stays in sight: its start gives way.
  const room = Math.max(1, width - columns(label) - 2);
  let shown = graphemes(value);
  while (shown.length > 0 && columns(shown.join('')) > room - 1) shown = shown.slice(1);
  return (
    <Text wrap="truncate-end">
      {label} {value ? shown.join('') : <Text dimColor>{placeholder.slice(0, room)}</Text>}
      <Text inverse> </Text>
    </Text>
  );
}
