/** The body of an overridden occurrence of a series (SPEC §5): organizer text with the meeting's own block. */
import { appendBlock, type BlockCoordinates, findBlocks } from './meeting-block.ts';

/**
 * The body an override gets when the meeting is scheduled: the organizer's text as given when it already
 * carries the meeting's own block (the same join URL), else that text followed by the block, exactly as
 * the master's body is made. A block pasted from another meeting does not count as the own one, so it
 * stays as text and the own block is still appended.
 */
export function scheduledOverrideBody(organizerText: string, coordinates: BlockCoordinates): string {
  const hasOwnBlock = findBlocks(organizerText).some((block) => block.joinUrl === coordinates.joinUrl);
  return hasOwnBlock ? organizerText : appendBlock(organizerText, coordinates);
}
