import type { MeetingMigration, MeetingResult } from '../../domain/model.ts';
import { migrationTypeOf } from '../../domain/triggers.ts';
import { builder } from '../builder.ts';
import {
  byId,
  cursorConnection,
  loadedConnection,
  MeetingResultOutcomeEnum,
  MigrationStateEnum,
  MigrationTypeEnum,
  SourceMeetingTypeEnum,
  TargetMeetingTypeEnum,
} from '../common.ts';
import { tenantFilterOf } from '../context.ts';
import { groupBy, groupedLoader, loadInOrder } from '../loaders.ts';
import { MeetingNode } from './meeting.ts';
import { TenantNode } from './tenant.ts';
import { TriggerEvaluationNode } from './trigger-evaluation.ts';
import { UserNode } from './user.ts';

export const MeetingMigrationNode = builder.loadableNodeRef<MeetingMigration, string | number>(
  'MeetingMigration',
  {
    id: { resolve: (migration) => migration.id },
    load: (keys, context) =>
      loadInOrder(keys, (ids) => context.services.store.migrations.byIds(tenantFilterOf(context), ids)),
  },
);

const absorbedTriggers = groupedLoader(async (ids, context) =>
  groupBy(
    await context.services.store.migrations.triggerEvaluationsOfMigrations(ids),
    (e) => e.migrationId ?? 0,
  ),
);

const MeetingResultType = builder.objectRef<MeetingResult>('MeetingResult').implement({
  description: 'What one migration did to one meeting, and why.',
  fields: (t) => ({
    meeting: t.field({ type: MeetingNode, resolve: (result) => result.meetingId }),
    outcome: t.field({ type: MeetingResultOutcomeEnum, resolve: (result) => result.outcome }),
    reason: t.exposeString('reason'),
    recordedAt: t.expose('recordedAt', { type: 'DateTime' }),
  }),
});

MeetingMigrationNode.implement({
  description: 'One migration run for one user (a row of Get-CsMeetingMigrationStatus).',
  fields: (t) => ({
    correlationId: t.exposeString('correlationId'),
    tenant: t.field({ type: TenantNode, resolve: (migration) => migration.tenantId }),
    user: t.field({ type: UserNode, resolve: (migration) => migration.userId }),
    state: t.field({ type: MigrationStateEnum, resolve: (migration) => migration.state }),
    migrationType: t.field({ type: MigrationTypeEnum, resolve: (migration) => migrationTypeOf(migration) }),
    sourceMeetingType: t.field({
      type: SourceMeetingTypeEnum,
      resolve: (migration) => migration.sourceMeetingType,
    }),
    targetMeetingType: t.field({
      type: TargetMeetingTypeEnum,
      resolve: (migration) => migration.targetMeetingType,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    modifiedAt: t.expose('modifiedAt', { type: 'DateTime' }),
    notBefore: t.expose('notBefore', { type: 'DateTime', description: 'The end of the hold period.' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
    retryCount: t.exposeInt('retryCount'),
    nextAttemptAt: t.expose('nextAttemptAt', { type: 'DateTime', nullable: true }),
    lastMessage: t.exposeString('lastMessage', {
      nullable: true,
      description:
        'Why the run failed or was retried, and, while invitations have failed, how many and the mail server’s last ' +
        'reply ("2 invitations failed: 550 5.1.1 …").',
    }),
    totalMeetings: t.exposeInt('totalMeetings'),
    succeededMeetings: t.exposeInt('succeededMeetings'),
    failedMeetings: t.exposeInt('failedMeetings'),
    skippedMeetings: t.exposeInt('skippedMeetings'),
    invitesUpdated: t.exposeInt('invitesUpdated'),
    invitationsPending: t.exposeInt('invitationsPending', {
      description:
        'Invitation updates of this migration not delivered yet: queued, being sent, or waiting to retry.',
    }),
    invitationsDelivered: t.exposeInt('invitationsDelivered', {
      description: 'Invitation updates the mail server accepted.',
    }),
    invitationsFailed: t.exposeInt('invitationsFailed', {
      description:
        'Invitation updates that failed for good (a permanent 5xx, or retries spent); `lastMessage` names the last ' +
        'reply. resendInvitationUpdates sends them again. The migration keeps its state.',
    }),
    triggers: t.connection({
      type: TriggerEvaluationNode,
      description: 'The triggers this migration absorbed, newest first.',
      resolve: (migration, args, context) =>
        loadedConnection(args, absorbedTriggers(context).load(migration.id), byId('desc')),
    }),
    meetingResults: t.connection({
      type: MeetingResultType,
      description: 'The result for each meeting this migration looked at.',
      resolve: (migration, args, context) =>
        cursorConnection(
          args,
          (page) => context.services.store.migrations.meetingResults(migration.id, page),
          (result) => ({ key: result.meetingId, id: result.meetingId }),
        ),
    }),
  }),
});
