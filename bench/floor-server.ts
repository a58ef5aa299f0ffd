/**
 * The floor for fan-out: a bare graphql-yoga server with graphql-ws on the same path, as yoga's own
 * documentation sets them up, and yoga's in-process createPubSub. It has nothing of MMS (no database,
 * tokens or engine): what it costs to deliver events of the same shape as
 * `meetingMigrationUpdated { id state modifiedAt }` to the same subscribers is as low as it gets.
 *
 * Like MMS's, a subscription starts with a held migration (its snapshot), which tells a subscriber that it
 * is live. `startMeetingMigration(id)` publishes the migration's three state changes as MMS's engine makes
 * them: PENDING at once, IN_PROGRESS and SUCCEEDED `stepMs` apart, each stamped when it is published, or
 * with `due`, when it was due: a step's timer fires only once the fan-out of the step before is done, so
 * stamped when published its events never wait for one another, where MMS's (made in another process) do.
 *   node bench/floor-server.ts <stepMs> [due]     prints the URL
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
// Renamed: graphql-ws's useServer is no React hook, whatever its name says.
import { useServer as serveGraphqlWs } from 'graphql-ws/use/ws';
import { createPubSub, createSchema, createYoga, Repeater } from 'graphql-yoga';
import { WebSocketServer } from 'ws';

const stepMs = Number(process.argv[2] ?? 0);
const stampedWhenDue = process.argv[3] === 'due';

interface Migration {
  id: string;
  state: 'PENDING' | 'IN_PROGRESS' | 'SUCCEEDED';
  modifiedAt: string;
}

const pubSub = createPubSub<{ meetingMigration: [Migration] }>();
const held: Migration = { id: 'held', state: 'PENDING', modifiedAt: new Date().toISOString() };
const publish = (id: string, state: Migration['state'], due: number) =>
  pubSub.publish('meetingMigration', {
    id,
    state,
    modifiedAt: new Date(stampedWhenDue ? due : Date.now()).toISOString(),
  });

const yoga = createYoga({
  schema: createSchema({
    typeDefs: /* GraphQL */ `
      enum MigrationState { PENDING IN_PROGRESS SUCCEEDED }
      type MeetingMigration { id: ID! state: MigrationState! modifiedAt: String! }
      type Query { held: MeetingMigration! }
      type Mutation { startMeetingMigration(id: ID!): Boolean! }
      type Subscription { meetingMigrationUpdated: MeetingMigration! }
    `,
    resolvers: {
      Query: { held: () => held },
      Mutation: {
        startMeetingMigration: (_root: unknown, { id }: { id: string }) => {
          const started = Date.now();
          publish(id, 'PENDING', started);
          setTimeout(() => publish(id, 'IN_PROGRESS', started + stepMs), stepMs);
          setTimeout(() => publish(id, 'SUCCEEDED', started + 2 * stepMs), 2 * stepMs);
          return true;
        },
      },
      Subscription: {
        meetingMigrationUpdated: {
          subscribe: () => Repeater.merge([[held], pubSub.subscribe('meetingMigration')]),
          resolve: (migration: Migration) => migration,
        },
      },
    },
  }),
  graphqlEndpoint: '/graphql',
  landingPage: false,
  graphiql: false,
});

// graphql-ws over yoga as yoga's documentation does it; server/app.ts does the same, copied here so that
// the floor runs no MMS code at all.
const server = createServer(yoga);
const webSockets = new WebSocketServer({ server, path: '/graphql' });
serveGraphqlWs(
  {
    execute: (args) => (args.rootValue as { execute: typeof import('graphql').execute }).execute(args),
    subscribe: (args) =>
      (args.rootValue as { subscribe: typeof import('graphql').subscribe }).subscribe(args),
    onSubscribe: async (ctx, _id, params) => {
      const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
        ...ctx,
        req: ctx.extra.request,
        socket: ctx.extra.socket,
        params,
      });
      const args = {
        schema,
        operationName: params.operationName,
        document: parse(params.query),
        variableValues: params.variables,
        contextValue: await contextFactory(),
        rootValue: { execute, subscribe },
      };
      const errors = validate(args.schema, args.document);
      return errors.length > 0 ? errors : args;
    },
  },
  webSockets,
);
server.listen(0, '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
});
process.once('SIGTERM', () => {
  for (const socket of webSockets.clients) socket.terminate();
  server.close(() => process.exit(0));
});
