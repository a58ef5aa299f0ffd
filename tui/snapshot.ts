/** Without a terminal, the TUI prints the dashboard once as plain text. */
import { MIGRATION_COUNTS } from './components/Dashboard.tsx';
import { graphql, type ResultOf } from './graphql.ts';

export const SNAPSHOT_QUERY = graphql(
  `query Snapshot {
    viewer { tenant { name } }
    meetingMigrationSummary { ...MigrationCounts }
    running: meetingMigrations(first: 5, states: [IN_PROGRESS]) {
      edges { node { user { userPrincipalName } succeededMeetings totalMeetings } }
    }
    failed: meetingMigrations(first: 5, states: [FAILED]) { edges { node { user { userPrincipalName } lastMessage } } }
  }`,
  [MIGRATION_COUNTS],
);

export type SnapshotData = ResultOf<typeof SNAPSHOT_QUERY>;

export function plainSnapshot(data: SnapshotData, url: string, at: Date): string {
  const s = data.meetingMigrationSummary;
  const running = data.running.edges.map(
    ({ node }) =>
      `  ${node.user.userPrincipalName}: ${node.succeededMeetings} of ${node.totalMeetings} meetings`,
  );
  const failed = data.failed.edges.map(
    ({ node }) => `  ${node.user.userPrincipalName}: ${node.lastMessage ?? 'failed'}`,
  );
  return [
    `MMS · ${data.viewer.tenant?.name ?? 'all tenants'} · ${url} · ${at.toISOString()}`,
    `pending ${s.pending}  in progress ${s.inProgress}  failed ${s.failed}  succeeded ${s.succeeded}  cancelled ${s.cancelled}`,
    ...(running.length > 0 ? ['in progress:', ...running] : []),
    ...(failed.length > 0 ? ['latest failures:', ...failed] : []),
    '',
  ].join('\n');
}
