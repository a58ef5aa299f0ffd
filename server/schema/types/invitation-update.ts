import { invitationFor, serviceMailbox } from '../../domain/invitation.ts';
import { INVITATION_STATES, type InvitationUpdate } from '../../domain/model.ts';
import { builder } from '../builder.ts';
import { cursorConnection } from '../common.ts';
import { tenantFilterOf } from '../context.ts';
import { loadInOrder } from '../loaders.ts';
import { attendeesOf, exceptionsOf, MeetingNode } from './meeting.ts';
import { MeetingMigrationNode } from './meeting-migration.ts';
import { TenantNode } from './tenant.ts';
import { UserNode } from './user.ts';

const InvitationStateEnum = builder.enumType('InvitationState', { values: INVITATION_STATES });

export const InvitationUpdateNode = builder.loadableNodeRef<InvitationUpdate, string | number>(
  'InvitationUpdate',
  {
    id: { resolve: (update) => update.id },
    load: (keys, context) =>
      loadInOrder(keys, (ids) => context.services.store.invitations.byIds(tenantFilterOf(context), ids)),
  },
);

InvitationUpdateNode.implement({
  description:
    'One attendee’s invitation update for one rewritten meeting: the outbox entry and its delivery.',
  fields: (t) => ({
    attendeeEmail: t.string({ resolve: (update) => update.attendee.email }),
    attendeeName: t.string({ nullable: true, resolve: (update) => update.attendee.name }),
    sequence: t.exposeInt('sequence', { description: 'The SEQUENCE the update announces.' }),
    state: t.field({ type: InvitationStateEnum, resolve: (update) => update.state }),
    attempts: t.exposeInt('attempts', {
      description:
        'Attempts so far; resendInvitationUpdates starts the count (and the retry schedule) again.',
    }),
    lastError: t.exposeString('lastError', {
      nullable: true,
      description: 'The mail server’s last reply (or the connection error) when an attempt failed.',
    }),
    nextAttemptAt: t.expose('nextAttemptAt', { type: 'DateTime', nullable: true }),
    sentAt: t.expose('sentAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    meeting: t.field({ type: MeetingNode, resolve: (update) => update.meetingId }),
    meetingMigration: t.field({ type: MeetingMigrationNode, resolve: (update) => update.migrationId }),
    icalendar: t.string({
      nullable: true,
      description:
        'The iCalendar REQUEST (RFC 5545/5546), for export; null once a later update of the meeting superseded it.',
      resolve: async (update, _args, context) => {
        const meeting = await MeetingNode.getDataloader(context).load(update.meetingId);
        const organizer = await UserNode.getDataloader(context).load(meeting.organizerId);
        const tenant = await TenantNode.getDataloader(context).load(update.tenantId);
        // Loaded per meeting, once per request however many of its invitations are exported.
        const [attendees, exceptions] = await Promise.all([
          attendeesOf(context).load(meeting.id),
          exceptionsOf(context).load(meeting.id),
        ]);
        return invitationFor(
          update,
          { ...meeting, ...exceptions },
          attendees,
          organizer,
          serviceMailbox(tenant, context.services.config.smtpSender),
        );
      },
    }),
  }),
});

builder.objectFields(MeetingNode, (t) => ({
  invitationUpdates: t.connection({
    type: InvitationUpdateNode,
    description: 'The outbox of this meeting: every invitation update sent or to send, oldest first.',
    resolve: (meeting, args, context) =>
      cursorConnection(
        args,
        (page) => context.services.store.invitations.list({ meetingId: meeting.id }, page),
        (update) => ({ key: update.id, id: update.id }),
      ),
  }),
}));

builder.objectFields(MeetingMigrationNode, (t) => ({
  invitationUpdates: t.connection({
    type: InvitationUpdateNode,
    description: 'The invitation updates this migration queued, oldest first.',
    resolve: (migration, args, context) =>
      cursorConnection(
        args,
        (page) => context.services.store.invitations.list({ migrationId: migration.id }, page),
        (update) => ({ key: update.id, id: update.id }),
      ),
  }),
}));
