/** A list's `/` search: type part of a name, Enter to search. The search outlives the screen. */
import { TextInput } from '@inkjs/ui';
import { Box, Text } from 'ink';
import { useState } from 'react';
import { useRemembered } from '../screen-memory.ts';

export function useListSearch(memoryKey: string, placeholder: string, onSearch: () => void) {
  const [search, setSearch] = useRemembered(memoryKey, '');
  const [searching, setSearching] = useState(false);
  const prompt = searching ? (
    <Box>
      <Text>/ </Text>
      <TextInput
        defaultValue={search}
        placeholder={placeholder}
        onSubmit={(value) => {
          setSearch(value.trim());
          setSearching(false);
          onSearch();
        }}
      />
    </Box>
  ) : null;
  return { search, searching, startSearching: () => setSearching(true), prompt };
}

/** Why a list shows no rows: the server's error, or that there are none. */
export function ListStatus({ error, empty, what }: { error?: Error; empty: boolean; what: string }) {
  if (error) return <Text color="red">{error.message}</Text>;
  return empty ? <Text dimColor>no {what}</Text> : null;
}
