import { GraphQLError } from 'graphql';
import type { Services } from '../services/index.ts';
import { tenantFilter, type Viewer } from '../services/viewer.ts';

export interface Context {
  viewer: Viewer | null;
  services: Services;
}

/** What a 401 answers with (RFC 6750): the API takes bearer tokens. */
export const BEARER_CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="MMS"' };

/** Resolvers behind the `authenticated` scope always have a viewer; this narrows the type. */
export function viewerOf(context: Context): Viewer {
  if (!context.viewer)
    throw new GraphQLError('Not authenticated', {
      extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: BEARER_CHALLENGE } },
    });
  return context.viewer;
}

export function tenantFilterOf(context: Context): number | null {
  return tenantFilter(viewerOf(context));
}
