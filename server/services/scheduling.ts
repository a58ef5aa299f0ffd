/** scheduleMeeting: what the scheduling add-in does — the organizer's text, a fresh block, add-in properties. */
import { randomUUID } from 'node:crypto';
import { meetingCoordinates, schedulingMeetingType } from '../domain/coordinates.ts';
import { InvalidValueError } from '../domain/errors.ts';
import { appendBlock } from '../domain/meeting-block.ts';
import type { ContentItemKind, OnlineMeetingType } from '../domain/model.ts';
import { scheduledOverrideBody } from '../domain/overrides.ts';
import { lastOccurrenceEnd, recurrenceRule } from '../domain/recurrence.ts';
import * as validate from '../domain/validation.ts';
import { requireMeeting, requireUser, type ServiceDeps, tenantOf } from './deps.ts';
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
  /** Original starts of cancelled occurrences (EXDATE). */
  cancelledOccurrences?: Date[] | null;
  overriddenOccurrences?: OverriddenOccurrenceInput[] | null;
}

/** An occurrence changed on its own; subject, location and body default to the master's when left out. */
export interface OverriddenOccurrenceInput {
  recurrenceId: Date;
  startsAt: Date;
  endsAt: Date;
  subject?: string | null;
  location?: string | null;
  /** The organizer's text for this occurrence; the meeting's block is appended unless it has it. */
  body?: string | null;
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
            // Line breaks pass here so that recurrenceRule can say where EXDATE and overrides belong.
            validate.boundedText('recurrence', input.recurrence, validate.MAX_TEXT_LENGTH),
          )
        : null;
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
      const cancelledOccurrences = input.cancelledOccurrences ?? [];
      const overrides = (input.overriddenOccurrences ?? []).map((o, i) => {
        const field = (name: string) => `overriddenOccurrences[${i}].${name}`;
        return {
          recurrenceId: o.recurrenceId,
          startsAt: validate.meetingTime(field('startsAt'), o.startsAt),
          endsAt: validate.meetingTime(field('endsAt'), o.endsAt),
          subject: o.subject == null ? subject : validate.requiredName(field('subject'), o.subject),
          location: o.location == null ? location : validate.optionalName(field('location'), o.location),
          organizerText:
            o.body == null ? null : validate.boundedText(field('body'), o.body, validate.MAX_BODY_LENGTH),
        };
      });
      // Validates the exceptions against the series (and the series against the occurrence limit).
      const lastOccurrenceEndsAt = validate.seriesEnd(
        'recurrence',
        lastOccurrenceEnd(input.startsAt, input.endsAt, timeZone, recurrence, {
          cancelledOccurrences,
          overriddenOccurrences: overrides,
        }),
      );

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
            cancelledOccurrences,
            overriddenOccurrences: overrides.map(({ organizerText, ...o }) => ({
              ...o,
              // Left out, the occurrence has the master's body; given, the organizer's text with the block.
              body: organizerText === null ? body : scheduledOverrideBody(organizerText, coordinates),
            })),
          },
          now,
        );
      });
    },

    /**
     * Records an edit the organizer made to the meeting's text in their calendar: the body as a whole, its
     * own block kept, moved, copied or deleted. Stored exactly as given at the next SEQUENCE; the organizer's
     * client sends that update itself, so nothing is queued, and updates not yet delivered with the old text
     * (queued or failed) are superseded.
     */
    async updateMeetingBody(viewer: Viewer, input: { meetingId: number; body: string }) {
      const body = validate.boundedText('body', input.body, validate.MAX_BODY_LENGTH);
      // The next SEQUENCE is taken in the statement that stores the body, and superseding is conditional and
      // relative: this waits for a batch of a running migration rather than losing to it.
      const { updated, supersededIn } = await deps.store.transaction(
        async (tx) => {
          const meeting = await requireMeeting(tx, viewer, input.meetingId, 'meetingId');
          return {
            updated: await tx.meetings.updateBodyAtNextSequence(meeting.id, body),
            supersededIn: await tx.engine.supersedeOutstanding(meeting.id, deps.now()),
          };
        },
        { perStatement: true },
      );
      if (supersededIn.length > 0) {
        deps.events.invitationsCounted(await deps.store.migrations.byIds(null, supersededIn));
      }
      return updated;
    },
  };
}
