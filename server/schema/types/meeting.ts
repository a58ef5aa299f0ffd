import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import { type FoundBlock, findBlock, surveyBody } from '../../domain/meeting-block.ts';
import type {
  Attendee,
  ContentItem,
  OnlineMeetingProperties,
  OverriddenOccurrence,
} from '../../domain/model.ts';
import { MAX_CANCELLED_OCCURRENCES, MAX_OVERRIDDEN_OCCURRENCES } from '../../domain/recurrence.ts';
import type { OccurrenceExceptionsOf, StoredMeeting } from '../../storage/meetings.ts';
import { builder } from '../builder.ts';
import { byId, ContentItemKindEnum, loadedConnection, OnlineMeetingTypeEnum } from '../common.ts';
import type { Context } from '../context.ts';
import { tenantFilterOf } from '../context.ts';
import { groupedLoader, loadInOrder } from '../loaders.ts';
import { UserNode } from './user.ts';

export const MeetingNode = builder.loadableNodeRef<StoredMeeting, string | number>('Meeting', {
  id: { resolve: (meeting) => meeting.id },
  load: (keys, context) =>
    loadInOrder(keys, (ids) => context.services.store.meetings.byIds(tenantFilterOf(context), ids)),
});

/** Attendees and content items have no ids of their own: their position in the meeting serves. */
type Positioned<T> = T & { id: number };
const positioned = <T>(items: T[]): Positioned<T>[] =>
  items.map((item, index) => ({ ...item, id: index + 1 }));

/** Every attendee of each meeting, in order, one query per request. */
export const attendeesOf = groupedLoader(async (ids, context) => {
  const byMeeting = await context.services.store.meetings.attendeesOf(ids);
  return new Map([...byMeeting].map(([id, attendees]) => [id, positioned(attendees)]));
});
const contentItemsOf = groupedLoader(async (ids, context) => {
  const byMeeting = await context.services.store.meetings.contentItemsOf(ids);
  return new Map([...byMeeting].map(([id, items]) => [id, positioned(items)]));
});

/** The cancelled and overridden occurrences of each meeting, one query per request. */
export const exceptionsOf = createContextCache(
  (context: Context) =>
    new DataLoader<number, OccurrenceExceptionsOf>(async (ids) => {
      const byMeeting = await context.services.store.meetings.exceptionsOf(ids);
      return ids.map((id) => byMeeting.get(id) ?? { cancelledOccurrences: [], overriddenOccurrences: [] });
    }),
);

const OverriddenOccurrenceType = builder.objectRef<OverriddenOccurrence>('OverriddenOccurrence').implement({
  description:
    'One occurrence of a series changed on its own (iCalendar RECURRENCE-ID): its own times, subject, location ' +
    'and body, whose online meeting block a migration rewrites like the master’s.',
  fields: (t) => ({
    recurrenceId: t.expose('recurrenceId', {
      type: 'DateTime',
      description: 'The original start of the occurrence.',
    }),
    startsAt: t.expose('startsAt', { type: 'DateTime' }),
    endsAt: t.expose('endsAt', { type: 'DateTime' }),
    subject: t.exposeString('subject'),
    location: t.exposeString('location', { nullable: true }),
    body: t.exposeString('body'),
  }),
});

const AttendeeType = builder.objectRef<Positioned<Attendee>>('Attendee').implement({
  fields: (t) => ({
    email: t.exposeString('email'),
    name: t.exposeString('name', { nullable: true }),
  }),
});

const ContentItemType = builder.objectRef<Positioned<ContentItem>>('ContentItem').implement({
  description: 'A whiteboard, poll or attachment: a reference that survives migration.',
  fields: (t) => ({
    kind: t.field({ type: ContentItemKindEnum, resolve: (item) => item.kind }),
    title: t.exposeString('title'),
    url: t.exposeString('url'),
  }),
});

const OnlineMeetingType = builder.objectRef<OnlineMeetingProperties>('OnlineMeeting').implement({
  description: 'Properties the scheduling add-in sets; a block pasted by hand has none.',
  fields: (t) => ({
    type: t.field({ type: OnlineMeetingTypeEnum, resolve: (online) => online.type }),
    joinUrl: t.exposeString('joinUrl'),
    conferenceId: t.exposeString('conferenceId', { nullable: true }),
  }),
});

const OnlineMeetingBlockType = builder.objectRef<FoundBlock>('OnlineMeetingBlock').implement({
  description: 'An online meeting block as found in the body.',
  fields: (t) => ({
    type: t.field({ type: OnlineMeetingTypeEnum, resolve: (block) => block.type }),
    joinUrl: t.exposeString('joinUrl', { nullable: true }),
    conferenceId: t.exposeString('conferenceId', { nullable: true }),
    meetingId: t.exposeString('meetingId', { nullable: true }),
    text: t.exposeString('text', { description: 'The exact text of the block.' }),
    start: t.exposeInt('start', { description: 'Offset of the block in the body, in UTF-16 code units.' }),
    end: t.exposeInt('end'),
  }),
});

MeetingNode.implement({
  description: 'A meeting, with its online meeting block inside the body.',
  fields: (t) => ({
    uid: t.exposeString('uid', { description: 'The iCalendar UID.' }),
    organizer: t.field({ type: UserNode, resolve: (meeting) => meeting.organizerId }),
    subject: t.exposeString('subject'),
    startsAt: t.expose('startsAt', { type: 'DateTime' }),
    endsAt: t.expose('endsAt', { type: 'DateTime' }),
    timeZone: t.exposeString('timeZone', { description: 'IANA time zone.' }),
    recurrence: t.exposeString('recurrence', { nullable: true, description: 'RFC 5545 RRULE.' }),
    lastOccurrenceEndsAt: t.expose('lastOccurrenceEndsAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the last occurrence ends; null for a series without end.',
    }),
    location: t.exposeString('location', { nullable: true }),
    body: t.exposeString('body'),
    sequence: t.exposeInt('sequence', { description: 'iCalendar SEQUENCE.' }),
    sharedNotesUrl: t.exposeString('sharedNotesUrl', { nullable: true }),
    onlineMeeting: t.field({
      type: OnlineMeetingType,
      nullable: true,
      resolve: (meeting) => meeting.onlineMeeting,
    }),
    onlineMeetingBlock: t.field({
      type: OnlineMeetingBlockType,
      nullable: true,
      description:
        'The meeting’s own block (its join URL is the meeting’s); for a meeting without add-in properties, ' +
        'the first block in the body. Null when there is none.',
      resolve: (meeting) =>
        meeting.onlineMeeting
          ? (surveyBody(meeting.body, meeting.onlineMeeting).own[0] ?? null)
          : findBlock(meeting.body),
    }),
    cancelledOccurrences: t.field({
      type: ['DateTime'],
      description:
        'Original starts of the cancelled occurrences of the series (iCalendar EXDATE), earliest first. ' +
        `A bounded list (at most ${MAX_CANCELLED_OCCURRENCES}), not a connection.`,
      resolve: async (meeting, _args, context) =>
        (await exceptionsOf(context).load(meeting.id)).cancelledOccurrences,
    }),
    overriddenOccurrences: t.field({
      type: [OverriddenOccurrenceType],
      description:
        'Occurrences of the series changed on their own, earliest original start first. A bounded list ' +
        `(at most ${MAX_OVERRIDDEN_OCCURRENCES}), not a connection.`,
      resolve: async (meeting, _args, context) =>
        (await exceptionsOf(context).load(meeting.id)).overriddenOccurrences,
    }),
    attendeeCount: t.exposeInt('attendeeCount'),
    attendees: t.connection({
      type: AttendeeType,
      resolve: (meeting, args, context) =>
        loadedConnection(args, attendeesOf(context).load(meeting.id), byId('asc')),
    }),
    contentItems: t.connection({
      type: ContentItemType,
      resolve: (meeting, args, context) =>
        loadedConnection(args, contentItemsOf(context).load(meeting.id), byId('asc')),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});
