/** scheduleMeeting: what the scheduling add-in does — the organizer's text, a fresh block, add-in properties. */
import { randomUUID } from 'node:crypto';
import { meetingCoordinates, schedulingMeetingType } from '../domain/coordinates.ts';
import { InvalidValueError } from '../domain/errors.ts';
import { appendBlock } from '../domain/meeting-block.ts';
import type { ContentItemKind, OnlineMeetingType } from '../domain/model.ts';
import { lastOccurrenceEnd, recurrenceRule } from '../domain/recurrence.ts';
import * as validate from '../domain/validation.ts';
import { requireUser, type ServiceDeps, tenantOf } from './deps.ts';
import type { Viewer } from './viewer.ts';

export interface ScheduleMeetingInput {
  organizerId: number;
  subject: string;
  startsAt: Date;
  endsAt: Date;
  timeZone: string;
  recurrence?: string | null;
  attendees: { email: string; name?: string | null }[];
  location?: string | null;
  body?: string | null;
  sharedNotesUrl?: string | null;
  contentItems?: { kind: ContentItemKind; title: string; url: string }[] | null;
  onlineMeetingType?: OnlineMeetingType | null;
  uid?: string | null;
}

export function scheduling(deps: ServiceDeps) {
  return {
    async scheduleMeeting(viewer: Viewer, input: ScheduleMeetingInput) {
      const subject = validate.requiredName('subject', input.subject);
      validate.meetingTime('startsAt', input.startsAt);
      validate.meetingTime('endsAt', input.endsAt);
      if (input.endsAt.getTime() <= input.startsAt.getTime())
        throw new InvalidValueError('endsAt', 'must be after startsAt');
      const timeZone = validate.timeZone('timeZone', input.timeZone);
      const recurrence = input.recurrence
        ? recurrenceRule(
            'recurrence',
            validate.requiredName('recurrence', input.recurrence, validate.MAX_TEXT_LENGTH),
          )
        : null;
      const lastOccurrenceEndsAt = validate.seriesEnd(
        'recurrence',
        lastOccurrenceEnd(input.startsAt, input.endsAt, timeZone, recurrence),
      );
      if (input.attendees.length === 0) throw new InvalidValueError('attendees', 'must not be empty');
      if (input.attendees.length > validate.MAX_ATTENDEES) {
        throw new InvalidValueError('attendees', `must have at most ${validate.MAX_ATTENDEES} entries`);
      }
      const attendees = input.attendees.map((attendee, i) => ({
        email: validate.emailAddress(`attendees[${i}].email`, attendee.email),
        name: validate.optionalName(`attendees[${i}].name`, attendee.name),
      }));
      const location = validate.optionalName('location', input.location);
      const organizerText = validate.boundedText('body', input.body ?? '', validate.MAX_BODY_LENGTH);
      const sharedNotesUrl =
        input.sharedNotesUrl != null ? validate.httpsUrl('sharedNotesUrl', input.sharedNotesUrl) : null;
      const contentItems = (input.contentItems ?? []).map((item, i) => ({
        kind: item.kind,
        title: validate.requiredName(`contentItems[${i}].title`, item.title),
        url: validate.httpsUrl(`contentItems[${i}].url`, item.url),
      }));
      const uidInput = validate.optionalName('uid', input.uid);

      return deps.store.transaction(async (tx) => {
        const now = deps.now();
        const organizer = await requireUser(tx, viewer, input.organizerId, 'organizerId');
        const tenant = await tenantOf(tx, organizer);
        const uid = uidInput ?? `${randomUUID()}@${tenant.primaryDomain}`;
        if (await tx.meetings.uidExists(tenant.id, uid))
          throw new InvalidValueError('uid', `${uid} is already used`);
        const numberIds = [organizer.defaultTollNumberId, organizer.defaultTollFreeNumberId].filter(
          (id) => id !== null,
        );
        const numbers = await tx.bridges.numbersByIds(tenant.id, numberIds);
        const type = input.onlineMeetingType ?? schedulingMeetingType(organizer);
        const coordinates = meetingCoordinates({ tenant, user: organizer, numbers, type, meetingUid: uid });
        const body = appendBlock(organizerText, coordinates);
        return tx.meetings.insert(
          {
            tenantId: tenant.id,
            organizerId: organizer.id,
            uid,
            subject,
            startsAt: input.startsAt,
            endsAt: input.endsAt,
            timeZone,
            recurrence,
            lastOccurrenceEndsAt,
            location,
            body,
            sequence: 0,
            sharedNotesUrl,
            onlineMeeting: {
              type,
              joinUrl: coordinates.joinUrl,
              conferenceId: coordinates.dialIn?.conferenceId ?? null,
            },
            attendees,
            contentItems,
          },
          now,
        );
      });
    },
  };
}
