/** scheduleMeeting, retryMeetingMigration, cancelMeetingMigration and resendInvitationUpdates. */
import { type ResendSelector, resendSelector } from '../../domain/delivery-outcome.ts';
import type { MeetingMigration } from '../../domain/model.ts';
import { MAX_CANCELLED_OCCURRENCES, MAX_OVERRIDDEN_OCCURRENCES } from '../../domain/recurrence.ts';
import type { StoredMeeting } from '../../storage/meetings.ts';
import { builder } from '../builder.ts';
import {
  ContentItemKindEnum,
  decodeId,
  decodeOptionalId,
  EXPECTED_ERRORS,
  OnlineMeetingTypeEnum,
} from '../common.ts';
import { viewerOf } from '../context.ts';
import { MeetingNode } from '../types/meeting.ts';
import { MeetingMigrationNode } from '../types/meeting-migration.ts';

const AttendeeInput = builder.inputType('AttendeeInput', {
  fields: (t) => ({ email: t.string(), name: t.string({ required: false }) }),
});

const ContentItemInput = builder.inputType('ContentItemInput', {
  fields: (t) => ({ kind: t.field({ type: ContentItemKindEnum }), title: t.string(), url: t.string() }),
});

const OverriddenOccurrenceInput = builder.inputType('OverriddenOccurrenceInput', {
  description: 'One occurrence of a recurring series changed on its own (iCalendar RECURRENCE-ID).',
  fields: (t) => ({
    recurrenceId: t.field({
      type: 'DateTime',
      description: 'The original start of the occurrence: an occurrence of the series.',
    }),
    startsAt: t.field({ type: 'DateTime' }),
    endsAt: t.field({ type: 'DateTime' }),
    subject: t.string({ required: false, description: 'The master’s subject when left out.' }),
    location: t.string({ required: false, description: 'The master’s location when left out.' }),
    body: t.string({
      required: false,
      description:
        'The organizer’s text for this occurrence, followed by the meeting’s online meeting block unless it ' +
        'already holds it. Left out: the master’s body.',
    }),
  }),
});

const MigrationPayload = (name: string) =>
  builder.objectRef<{ migration: MeetingMigration }>(name).implement({
    fields: (t) => ({
      meetingMigration: t.field({ type: MeetingMigrationNode, resolve: (payload) => payload.migration }),
    }),
  });

const MeetingPayload = (name: string) =>
  builder.objectRef<{ meeting: StoredMeeting }>(name).implement({
    fields: (t) => ({ meeting: t.field({ type: MeetingNode, resolve: (payload) => payload.meeting }) }),
  });

/** The one selector given, its global ID decoded (one of another type names nothing). */
function decodeSelector(selector: ResendSelector<string>): ResendSelector {
  if ('invitationUpdateId' in selector) {
    return {
      invitationUpdateId: decodeId('invitationUpdateId', selector.invitationUpdateId, 'InvitationUpdate'),
    };
  }
  if ('meetingId' in selector) return { meetingId: decodeId('meetingId', selector.meetingId, 'Meeting') };
  if ('migrationId' in selector) {
    return { migrationId: decodeId('migrationId', selector.migrationId, 'MeetingMigration') };
  }
  return selector;
}

builder.mutationFields((t) => ({
  scheduleMeeting: t.fieldWithInput({
    description:
      'Schedules a meeting as the scheduling add-in does: the organizer’s text followed by an online meeting block ' +
      'for their current coordinates, with the add-in properties set.',
    type: MeetingPayload('ScheduleMeetingPayload'),
    errors: { types: EXPECTED_ERRORS },
    input: {
      organizerId: t.input.id(),
      subject: t.input.string(),
      startsAt: t.input.field({ type: 'DateTime' }),
      endsAt: t.input.field({ type: 'DateTime' }),
      timeZone: t.input.string({ description: 'IANA time zone, such as Europe/Berlin.' }),
      recurrence: t.input.string({
        required: false,
        description:
          'RFC 5545 RRULE alone, such as FREQ=WEEKLY;COUNT=10; exceptions go in cancelledOccurrences and overriddenOccurrences.',
      }),
      attendees: t.input.field({ type: [AttendeeInput] }),
      location: t.input.string({ required: false }),
      body: t.input.string({ required: false, description: "The organizer's own text." }),
      sharedNotesUrl: t.input.string({ required: false }),
      contentItems: t.input.field({ type: [ContentItemInput], required: false }),
      onlineMeetingType: t.input.field({
        type: OnlineMeetingTypeEnum,
        required: false,
        description:
          "Defaults to the organizer's: TEAMS once their Teams upgrade mode schedules meetings in Teams.",
      }),
      uid: t.input.string({ required: false, description: 'iCalendar UID; generated when omitted.' }),
      cancelledOccurrences: t.input.field({
        type: ['DateTime'],
        required: false,
        description: `Original starts of cancelled occurrences of the series (iCalendar EXDATE); at most ${MAX_CANCELLED_OCCURRENCES}.`,
      }),
      overriddenOccurrences: t.input.field({
        type: [OverriddenOccurrenceInput],
        required: false,
        description: `Occurrences of the series changed on their own; at most ${MAX_OVERRIDDEN_OCCURRENCES}.`,
      }),
    },
    resolve: async (_root, { input }, context) => ({
      meeting: await context.services.scheduling.scheduleMeeting(viewerOf(context), {
        ...input,
        organizerId: decodeId('organizerId', input.organizerId, 'User'),
      }),
    }),
  }),

  retryMeetingMigration: t.fieldWithInput({
    description: 'Puts a FAILED or CANCELLED migration back in the queue.',
    type: MigrationPayload('RetryMeetingMigrationPayload'),
    errors: { types: EXPECTED_ERRORS },
    input: { migrationId: t.input.id() },
    resolve: async (_root, { input }, context) => ({
      migration: await context.services.migrations.retryMeetingMigration(viewerOf(context), {
        migrationId: decodeId('migrationId', input.migrationId, 'MeetingMigration'),
      }),
    }),
  }),

  resendInvitationUpdates: t.fieldWithInput({
    description:
      'Sends FAILED invitation updates again, with their own Message-ID and SEQUENCE (a receiver that already has ' +
      'one drops the copy). Give exactly one of invitationUpdateId, meetingId, migrationId or allFailed: true. ' +
      'Delivered (SENT) and superseded updates are never sent again.',
    type: builder
      .objectRef<{ queued: number; migrations: MeetingMigration[] }>('ResendInvitationUpdatesPayload')
      .implement({
        fields: (p) => ({
          queued: p.int({
            description: 'How many FAILED updates were queued again.',
            resolve: (payload) => payload.queued,
          }),
          meetingMigrations: p.field({
            type: [MeetingMigrationNode],
            description:
              'The migrations those updates belong to, with their counts moved from failed to pending.',
            resolve: (payload) => payload.migrations,
          }),
        }),
      }),
    errors: { types: EXPECTED_ERRORS },
    input: {
      invitationUpdateId: t.input.id({ required: false, description: 'One FAILED invitation update.' }),
      meetingId: t.input.id({ required: false, description: 'The FAILED updates of one meeting.' }),
      migrationId: t.input.id({ required: false, description: 'The FAILED updates of one migration.' }),
      allFailed: t.input.boolean({ required: false, description: 'Every FAILED update of the tenant.' }),
      tenantId: t.input.id({
        required: false,
        description: "With allFailed: defaults to the operator's tenant; the service admin must give it.",
      }),
    },
    resolve: async (_root, { input }, context) =>
      context.services.migrations.resendInvitationUpdates(viewerOf(context), {
        selector: decodeSelector(resendSelector(input)),
        tenantId: decodeOptionalId('tenantId', input.tenantId, 'Tenant'),
      }),
  }),

  cancelMeetingMigration: t.fieldWithInput({
    description: 'Stops a PENDING or IN_PROGRESS migration.',
    type: MigrationPayload('CancelMeetingMigrationPayload'),
    errors: { types: EXPECTED_ERRORS },
    input: { migrationId: t.input.id() },
    resolve: async (_root, { input }, context) => ({
      migration: await context.services.migrations.cancelMeetingMigration(viewerOf(context), {
        migrationId: decodeId('migrationId', input.migrationId, 'MeetingMigration'),
      }),
    }),
  }),

  updateMeetingBody: t.fieldWithInput({
    description:
      'Records an edit the organizer made to the meeting’s text in their calendar: the whole body, stored ' +
      'exactly as given, at the next SEQUENCE. Whatever it holds — its own block moved, copied or deleted, ' +
      'blocks of other meetings — a migration rewrites only the meeting’s own block.',
    type: MeetingPayload('UpdateMeetingBodyPayload'),
    errors: { types: EXPECTED_ERRORS },
    input: { meetingId: t.input.id(), body: t.input.string() },
    resolve: async (_root, { input }, context) => ({
      meeting: await context.services.scheduling.updateMeetingBody(viewerOf(context), {
        meetingId: decodeId('meetingId', input.meetingId, 'Meeting'),
        body: input.body,
      }),
    }),
  }),
}));
