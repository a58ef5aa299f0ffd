/**
 * A query asked again every second while its screen is shown: the engine changes the answer all the time.
 * `current` says whether the answer shown is for the variables asked now (false while a new filter loads).
 */
import { createRequest } from '@urql/core';
import { useEffect, useMemo } from 'react';
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
  const asked = useMemo(
    () => createRequest(args.query, args.variables as AnyVariables).key,
    [args.query, args.variables],
  );
  const current =
    result.operation?.key === asked && (result.data !== undefined || result.error !== undefined);
  return [result, refresh, current] as const;
}
