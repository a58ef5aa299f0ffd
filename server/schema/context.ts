import { GraphQLError } from 'graphql';
import type { Services } from '../services/index.ts';
import { tenantFilter, type Viewer } from '../services/viewer.ts';

export interface Context {
  viewer: Viewer | null;
  services: Services;
}

/** Resolvers behind the `authenticated` scope always have a viewer; this narrows the type. */
export function viewerOf(context: Context): Viewer {
  if (!context.viewer)
    throw new GraphQLError('Not authenticated', { extensions: { code: 'UNAUTHENTICATED' } });
  return context.viewer;
}

export function tenantFilterOf(context: Context): number | null {
  return tenantFilter(viewerOf(context));
}
