/**
 * Screen state that outlives the screen: back from a migration's detail, the list shows the same filter,
 * search, page and selection as before.
 */
import { createContext, useCallback, useContext, useState } from 'react';

export const ScreenMemory = createContext<Map<string, unknown> | null>(null);

/** Like useState, but starts from what the screen last held under `key`, when it was shown before. */
export function useRemembered<T>(key: string, initial: T): [T, (value: T) => void] {
  const memory = useContext(ScreenMemory);
  const [value, setValue] = useState<T>(() => (memory?.has(key) ? (memory.get(key) as T) : initial));
  const remember = useCallback(
    (next: T) => {
      memory?.set(key, next);
      setValue(next);
    },
    [memory, key],
  );
  return [value, remember];
}
