/** A list's `/` search: type part of a name, Enter to search, Esc to leave it as it was. It outlives the screen. */
import { Text } from 'ink';
import { useState } from 'react';
import { useRemembered } from '../screen-memory.ts';
import { LineInput } from './LineInput.tsx';

export function useListSearch(memoryKey: string, placeholder: string, onSearch: () => void, width = 80) {
  const [search, setSearch] = useRemembered(memoryKey, '');
  const [searching, setSearching] = useState(false);
  const prompt = searching ? (
    <LineInput
      label="/"
      initial={search}
      placeholder={placeholder}
      width={width}
      onSubmit={(value) => {
        setSearch(value.trim());
        setSearching(false);
        onSearch();
      }}
      onCancel={() => setSearching(false)}
    />
  ) : null;
  return { search, searching, startSearching: () => setSearching(true), prompt };
}

/** Why a list shows no rows: the server's error, or that there are none. */
export function ListStatus({ error, empty, what }: { error?: Error; empty: boolean; what: string }) {
  if (error) return <Text color="red">{error.message}</Text>;
  return empty ? <Text dimColor>no {what}</Text> : null;
}
