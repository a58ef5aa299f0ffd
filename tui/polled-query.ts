/** A query asked again every second while its screen is shown: the engine changes the answer all the time. */
import { useEffect } from 'react';
import { type AnyVariables, type UseQueryArgs, useQuery } from 'urql';

const REFRESH_MS = 1_000;

export function usePolledQuery<Data, Variables extends AnyVariables = AnyVariables>(
  args: UseQueryArgs<Variables, Data>,
) {
  const [result, refresh] = useQuery<Data, Variables>(args);
  useEffect(() => {
    const timer = setInterval(() => refresh({ requestPolicy: 'network-only' }), REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);
  return [result, refresh] as const;
}
