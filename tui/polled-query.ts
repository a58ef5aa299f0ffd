/**
 * A query asked again every second while its screen is shown: the engine changes the answer all the time.
 * The screen is rendered again only when the answer differs from the last one, so an idle screen costs
 * nothing but the request. `current` says whether the answer is for the variables asked now (false while a
 * new filter loads); `refresh()` asks at once.
 */
import { type AnyVariables, type CombinedError, createRequest } from '@urql/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useClient } from 'urql';
import type { TadaDocumentNode } from './graphql.ts';

const REFRESH_MS = 1_000;

interface Answer<Data> {
  /** The request (query and variables) answered. */
  key: number;
  data?: Data;
  error?: CombinedError;
}

/** `data` is typed from the document: `usePolledQuery({ query: MIGRATIONS_PAGE, variables })`. */
export function usePolledQuery<Data, Variables extends AnyVariables>({
  query,
  variables,
}: {
  query: TadaDocumentNode<Data, Variables>;
  variables: Variables;
}) {
  const client = useClient();
  const request = createRequest(query, variables);
  const [answer, setAnswer] = useState<Answer<Data>>({ key: -1 });
  const ask = useRef<() => void>(() => {});
  const latest = useRef(request);
  latest.current = request;
  const { key } = request;

  // Asked again for each new request (its key), with the variables of the render that asked it.
  useEffect(() => {
    let alive = true;
    let last = '';
    const { query: document, variables: asked } = latest.current;
    ask.current = () => {
      void client
        .query(document, asked, { requestPolicy: 'network-only' })
        .toPromise()
        .then((result) => {
          const text = JSON.stringify([result.data, result.error?.message]);
          if (!alive || text === last) return;
          last = text;
          setAnswer({ key, data: result.data, error: result.error });
        });
    };
    ask.current();
    const timer = setInterval(() => ask.current(), REFRESH_MS);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [client, key]);

  const refresh = useCallback(() => ask.current(), []);
  const current = answer.key === key;
  return [answer, refresh, current] as const;
}
