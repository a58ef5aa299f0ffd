/** The body of an overridden occurrence of a series (SPEC §5): organizer text with the meeting's own block. */
import { appendBlock, type BlockCoordinates, surveyBody } from './meeting-block.ts';

/**
 * The body an override gets when the meeting is scheduled: the organizer's text as given when it already
 * carries the meeting's own block (the same join URL), else that text followed by the block, exactly as
 * the master's body is made. A block pasted from another meeting does not count as the own one, so it
 * stays as text and the own block is still appended.
 */
export function scheduledOverrideBody(organizerText: string, coordinates: BlockCoordinates): string {
  const own = { joinUrl: coordinates.joinUrl, conferenceId: coordinates.dialIn?.conferenceId ?? null };
  const hasOwnBlock = surveyBody(organizerText, own).own.length > 0;
  return hasOwnBlock ? organizerText : appendBlock(organizerText, coordinates);
}
