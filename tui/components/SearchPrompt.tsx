/** The `/` prompt of a list: type part of a name, Enter to search. */
import { TextInput } from '@inkjs/ui';
import { Box, Text } from 'ink';

export function SearchPrompt({
  initial,
  placeholder,
  onSubmit,
}: {
  initial: string;
  placeholder: string;
  onSubmit: (search: string) => void;
}) {
  return (
    <Box>
      <Text>/ </Text>
      <TextInput
        defaultValue={initial}
        placeholder={placeholder}
        onSubmit={(value) => onSubmit(value.trim())}
      />
    </Box>
  );
}
