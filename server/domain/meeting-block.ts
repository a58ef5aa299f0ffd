/**
 * The online meeting block (SPEC §2): rendering both forms and finding them again in any body.
 *
 * Line model: only LF ends a line; an LF preceded by CR is a CRLF line ending. A lone CR is ordinary
 * text, so a block starts at the beginning of the body or right after an LF. A block is an opening
 * delimiter line immediately followed by its form's header line, up to and including its closing
 * delimiter line (plus that line's line break, if any); see closingOf.
 */

export type OnlineMeetingType = 'SKYPE_FOR_BUSINESS' | 'TEAMS';

export interface DialInNumberLine {
  /** E.164, such as +14255550100. */
  number: string;
  tollFree: boolean;
  city: string;
  /** ISO 3166 alpha-2. */
  country: string;
  /** Such as en-US. */
  language: string;
}

export interface BlockCoordinates {
  type: OnlineMeetingType;
  joinUrl: string;
  /** Teams only: the numeric meeting ID and passcode shown under the join link. */
  meetingId?: string;
  passcode?: string;
  /** Microsoft audio conferencing: numbers + conference ID (digits); null when the organizer has no dial-in. */
  dialIn: { numbers: DialInNumberLine[]; conferenceId: string; localNumbersUrl: string } | null;
  /** Third-party audio conferencing provider text, shown instead of dial-in numbers when present. */
  thirdPartyDialIn?: { provider: string; text: string } | null;
  /** Skype "Help" link / Teams "Learn More" link. */
  helpUrl: string;
  /** Teams "Meeting options" link. */
  meetingOptionsUrl?: string;
  /** Teams "Reset PIN" link. */
  resetPinUrl?: string;
}

export interface FoundBlock {
  /** UTF-16 offsets into the body: [start, end) covers both delimiter lines and the closing line's break, if any. */
  start: number;
  end: number;
  type: OnlineMeetingType;
  joinUrl: string | null;
  /** Digits only (Teams' trailing `#` removed). */
  conferenceId: string | null;
  meetingId: string | null;
  /** The line ending of the opening delimiter line. */
  lineEnding: '\n' | '\r\n';
  /** body.slice(start, end). */
  text: string;
}

export const DELIMITER_LENGTH = 80;
export const SKYPE_DELIMITER = '.'.repeat(DELIMITER_LENGTH);
export const TEAMS_DELIMITER = '_'.repeat(DELIMITER_LENGTH);

export const SKYPE_JOIN_PREFIX = 'Join Skype Meeting ';
export const SKYPE_WEB_APP_PREFIX = 'Trouble Joining? Try Skype Web App ';
export const SKYPE_DIAL_IN_HEADER = 'Join by phone';
export const SKYPE_THIRD_PARTY_PREFIX = 'Join by phone (';
export const SKYPE_LOCAL_NUMBERS_PREFIX = 'Find a local number: ';
export const SKYPE_CONFERENCE_ID_PREFIX = 'Conference ID: ';
export const SKYPE_HELP_PREFIX = 'Help: ';
/** Hidden marker line of the Skype for Business add-in (1033 = en-US). */
export const SKYPE_MARKER = '[!OC([1033])!]';

export const TEAMS_HEADER = 'Microsoft Teams meeting';
export const TEAMS_JOIN_HINT = 'Join on your computer, mobile app or room device';
export const TEAMS_JOIN_PREFIX = 'Click here to join the meeting ';
export const TEAMS_MEETING_ID_PREFIX = 'Meeting ID: ';
export const TEAMS_PASSCODE_PREFIX = 'Passcode: ';
export const TEAMS_DIAL_IN_HEADER = 'Or call in (audio only)';
export const TEAMS_THIRD_PARTY_PREFIX = 'Or call in (audio only) with ';
export const TEAMS_CONFERENCE_ID_PREFIX = 'Phone Conference ID: ';
export const TEAMS_LOCAL_NUMBERS_PREFIX = 'Find a local number: ';
export const TEAMS_RESET_PIN_SEPARATOR = ' | Reset PIN: ';
export const TEAMS_LEARN_MORE_PREFIX = 'Learn More: ';
export const TEAMS_MEETING_OPTIONS_SEPARATOR = ' | Meeting options: ';

interface Form {
  type: OnlineMeetingType;
  delimiter: string;
  isHeader: (line: string) => boolean;
  /** The last line rendered before the closing delimiter. */
  isLastLine: (line: string) => boolean;
  dialInHeader: string;
  thirdPartyPrefix: string;
  conferenceIdPrefix: string;
}

const SKYPE_FORM: Form = {
  type: 'SKYPE_FOR_BUSINESS',
  delimiter: SKYPE_DELIMITER,
  // The header carries the join URL, so it is recognised by its prefix.
  isHeader: (line) => line.startsWith(SKYPE_JOIN_PREFIX),
  isLastLine: (line) => line === SKYPE_MARKER,
  dialInHeader: SKYPE_DIAL_IN_HEADER,
  thirdPartyPrefix: SKYPE_THIRD_PARTY_PREFIX,
  conferenceIdPrefix: SKYPE_CONFERENCE_ID_PREFIX,
};

const TEAMS_FORM: Form = {
  type: 'TEAMS',
  delimiter: TEAMS_DELIMITER,
  isHeader: (line) => line === TEAMS_HEADER,
  isLastLine: (line) => line.startsWith(TEAMS_LEARN_MORE_PREFIX),
  dialInHeader: TEAMS_DIAL_IN_HEADER,
  thirdPartyPrefix: TEAMS_THIRD_PARTY_PREFIX,
  conferenceIdPrefix: TEAMS_CONFERENCE_ID_PREFIX,
};

/** Every character some renderer treats as a line break; a field value must not start a new line. */
const LINE_BREAKS = /[\n\v\f\r\u0085\u2028\u2029]/g;

/** A single-line field value: line breaks removed so the value cannot inject lines. */
function oneLine(value: string | undefined | null): string {
  return (value ?? '').replace(LINE_BREAKS, '');
}

/** Lines made only of periods and underscores could pass for a delimiter, so multi-line text drops them. */
function isDelimiterLike(line: string): boolean {
  return /^[\s._]*[._][\s._]*$/.test(line);
}

function textLines(text: string): string[] {
  return text.split(/\r\n|[\n\v\f\r\u0085\u2028\u2029]/).filter((line) => !isDelimiterLike(line));
}

function numberLine(n: DialInNumberLine): string {
  return `${oneLine(n.number)}  ${oneLine(n.city)} (${oneLine(n.country)})  ${n.tollFree ? 'Toll free' : 'Toll'}  ${oneLine(n.language)}`;
}

function webAppUrl(joinUrl: string): string {
  return `${joinUrl}${joinUrl.includes('?') ? '&' : '?'}sl=1`;
}

function skypeLines(c: BlockCoordinates): string[] {
  const joinUrl = oneLine(c.joinUrl);
  const lines = [SKYPE_DELIMITER, SKYPE_JOIN_PREFIX + joinUrl, SKYPE_WEB_APP_PREFIX + webAppUrl(joinUrl)];
  if (c.thirdPartyDialIn) {
    lines.push(`${SKYPE_THIRD_PARTY_PREFIX}${oneLine(c.thirdPartyDialIn.provider)})`);
    lines.push(...textLines(c.thirdPartyDialIn.text));
  } else if (c.dialIn) {
    lines.push(SKYPE_DIAL_IN_HEADER);
    lines.push(...c.dialIn.numbers.map(numberLine));
    lines.push(SKYPE_LOCAL_NUMBERS_PREFIX + oneLine(c.dialIn.localNumbersUrl));
    lines.push('');
    lines.push(SKYPE_CONFERENCE_ID_PREFIX + oneLine(c.dialIn.conferenceId));
  }
  lines.push(SKYPE_HELP_PREFIX + oneLine(c.helpUrl), SKYPE_MARKER, SKYPE_DELIMITER);
  return lines;
}

function teamsLines(c: BlockCoordinates): string[] {
  const lines = [TEAMS_DELIMITER, TEAMS_HEADER, TEAMS_JOIN_HINT, TEAMS_JOIN_PREFIX + oneLine(c.joinUrl)];
  const meetingId = oneLine(c.meetingId);
  if (meetingId) lines.push(TEAMS_MEETING_ID_PREFIX + meetingId);
  const passcode = oneLine(c.passcode);
  if (passcode) lines.push(TEAMS_PASSCODE_PREFIX + passcode);
  if (c.thirdPartyDialIn) {
    lines.push(TEAMS_THIRD_PARTY_PREFIX + oneLine(c.thirdPartyDialIn.provider));
    lines.push(...textLines(c.thirdPartyDialIn.text));
  } else if (c.dialIn) {
    lines.push(TEAMS_DIAL_IN_HEADER);
    lines.push(...c.dialIn.numbers.map(numberLine));
    lines.push(`${TEAMS_CONFERENCE_ID_PREFIX}${oneLine(c.dialIn.conferenceId)}#`);
    const resetPin = oneLine(c.resetPinUrl);
    lines.push(
      TEAMS_LOCAL_NUMBERS_PREFIX +
        oneLine(c.dialIn.localNumbersUrl) +
        (resetPin ? TEAMS_RESET_PIN_SEPARATOR + resetPin : ''),
    );
  }
  const options = oneLine(c.meetingOptionsUrl);
  lines.push(
    TEAMS_LEARN_MORE_PREFIX + oneLine(c.helpUrl) + (options ? TEAMS_MEETING_OPTIONS_SEPARATOR + options : ''),
  );
  lines.push(TEAMS_DELIMITER);
  return lines;
}

/** The block for these coordinates, ending with a line ending after the closing delimiter. */
export function renderBlock(coords: BlockCoordinates, lineEnding: '\n' | '\r\n' = '\n'): string {
  const lines = coords.type === 'TEAMS' ? teamsLines(coords) : skypeLines(coords);
  return lines.join(lineEnding) + lineEnding;
}

interface Line {
  start: number;
  /** The line without its line ending. */
  content: string;
  /** Offset just past the line ending. */
  end: number;
  lineEnding: '' | '\n' | '\r\n';
}

function splitLines(body: string): Line[] {
  const lines: Line[] = [];
  let pos = 0;
  while (pos < body.length) {
    const lf = body.indexOf('\n', pos);
    if (lf === -1) {
      lines.push({ start: pos, content: body.slice(pos), end: body.length, lineEnding: '' });
      break;
    }
    const crlf = lf > pos && body.charCodeAt(lf - 1) === 13;
    lines.push({
      start: pos,
      content: body.slice(pos, crlf ? lf - 1 : lf),
      end: lf + 1,
      lineEnding: crlf ? '\r\n' : '\n',
    });
    pos = lf + 1;
  }
  return lines;
}

function openingForm(line: Line, next: Line | undefined): Form | null {
  if (next === undefined) return null;
  for (const form of [SKYPE_FORM, TEAMS_FORM]) {
    if (line.content === form.delimiter && form.isHeader(next.content)) return form;
  }
  return null;
}

function nonEmpty(value: string | undefined): string | null {
  return value ? value : null;
}

function digits(value: string): string | null {
  const compact = value.replace(/\s+/g, '').replace(/#$/, '');
  return /^\d+$/.test(compact) ? compact : null;
}

/**
 * Fields are read only from the section they are rendered in, so text elsewhere in the block (number
 * lines, third-party text) cannot pass for them: join link and meeting ID from the lines before the first
 * dial-in section, the conference ID from the Microsoft dial-in section (its last such line, after the numbers).
 */
function parseFields(
  form: Form,
  inner: string[],
): Pick<FoundBlock, 'joinUrl' | 'conferenceId' | 'meetingId'> {
  let sectionAt = inner.findIndex(
    (line) => line === form.dialInHeader || line.startsWith(form.thirdPartyPrefix),
  );
  if (sectionAt === -1) sectionAt = inner.length;
  const top = inner.slice(0, sectionAt);
  const topValue = (prefix: string): string | undefined =>
    top.find((line) => line.startsWith(prefix))?.slice(prefix.length);

  let conferenceId: string | null = null;
  if (inner[sectionAt] === form.dialInHeader) {
    const line = inner.slice(sectionAt + 1).findLast((l) => l.startsWith(form.conferenceIdPrefix));
    if (line !== undefined) conferenceId = digits(line.slice(form.conferenceIdPrefix.length));
  }

  if (form.type === 'TEAMS') {
    return {
      joinUrl: nonEmpty(topValue(TEAMS_JOIN_PREFIX)),
      meetingId: nonEmpty(topValue(TEAMS_MEETING_ID_PREFIX)),
      conferenceId,
    };
  }
  return { joinUrl: nonEmpty(inner[0]?.slice(SKYPE_JOIN_PREFIX.length)), meetingId: null, conferenceId };
}

/**
 * Where the block opened at `openAt` closes: at the first line of its delimiter that follows the form's
 * last rendered line (Skype's marker, Teams' "Learn More"), so a stray delimiter line inside the block is
 * part of it. A block without that last line (edited by hand) closes at its first delimiter line. The
 * search ends at the next opening of the same form (a delimiter line followed by a header line is always
 * an opening): an opening with no closing is organizer text, and must not swallow the block after it.
 * -1 when the block never closes.
 */
function closingOf(lines: Line[], openAt: number, form: Form): number {
  let firstDelimiter = -1;
  for (let j = openAt + 2; j < lines.length; j++) {
    const line = lines[j] as Line;
    if (line.content !== form.delimiter) continue;
    if (openingForm(line, lines[j + 1]) === form) break;
    if (form.isLastLine(lines[j - 1]?.content ?? '')) return j;
    if (firstDelimiter === -1) firstDelimiter = j;
  }
  return firstDelimiter;
}

/** Every complete block in the body, in order; blocks never overlap. */
export function findBlocks(body: string): FoundBlock[] {
  return surveyBody(body, null).blocks;
}

/** The first block in the body. */
export function findBlock(body: string): FoundBlock | null {
  return findBlocks(body)[0] ?? null;
}

/** What identifies a meeting's own block: its stored join URL, or for a block without one its conference ID. */
export interface OwnBlockKey {
  joinUrl: string;
  conferenceId: string | null;
}

function isOwn(block: FoundBlock, key: OwnBlockKey): boolean {
  if (block.joinUrl !== null) return block.joinUrl === oneLine(key.joinUrl);
  return key.conferenceId !== null && block.conferenceId === key.conferenceId;
}

/** Whether the meeting's own block is in its body once, several times (a forwarded copy), or not at all. */
export type OwnBlockSituation = 'FOUND' | 'REPEATED' | 'MISSING';

export interface BlockSurvey {
  /** Every complete block, the meeting's own and others', in order. */
  blocks: FoundBlock[];
  /** The meeting's own blocks among them. */
  own: FoundBlock[];
  situation: OwnBlockSituation;
  /** Opening lines whose block never closes: organizer text. */
  unclosedOpenings: number;
}

/**
 * Finds every block and tells the meeting's own from the others (SPEC §2). The own blocks are found first,
 * each from its own opening line, so that no other text — another meeting's block, an opening whose
 * closing line is missing further down — can take the own block into a region of its own. The rest of
 * the body is then read in order, a block never overlapping another.
 */
export function surveyBody(body: string, key: OwnBlockKey | null): BlockSurvey {
  const lines = splitLines(body);
  const blockFrom = (openAt: number): { block: FoundBlock; closeAt: number } | null => {
    const opening = lines[openAt] as Line;
    const form = openingForm(opening, lines[openAt + 1]);
    if (form === null || opening.lineEnding === '') return null;
    const closeAt = closingOf(lines, openAt, form);
    const closing = lines[closeAt];
    if (closing === undefined) return null;
    const inner = lines.slice(openAt + 1, closeAt).map((line) => line.content);
    const block: FoundBlock = {
      start: opening.start,
      end: closing.end,
      type: form.type,
      ...parseFields(form, inner),
      lineEnding: opening.lineEnding,
      text: body.slice(opening.start, closing.end),
    };
    return { block, closeAt };
  };

  /** Line index where each own block opens, to the index where it closes. */
  const ownRegions = new Map<number, number>();
  if (key !== null) {
    for (let i = 0; i < lines.length; i++) {
      const found = blockFrom(i);
      if (found === null || !isOwn(found.block, key)) continue;
      ownRegions.set(i, found.closeAt);
      i = found.closeAt;
    }
  }
  const nextOwnAfter = (at: number) => Math.min(...[...ownRegions.keys()].filter((start) => start > at));

  const blocks: FoundBlock[] = [];
  const own: FoundBlock[] = [];
  let unclosedOpenings = 0;
  for (let i = 0; i < lines.length; i++) {
    const ownCloseAt = ownRegions.get(i);
    const found = blockFrom(i);
    if (ownCloseAt !== undefined && found !== null) {
      blocks.push(found.block);
      own.push(found.block);
      i = ownCloseAt;
    } else if (found !== null && found.closeAt < nextOwnAfter(i)) {
      blocks.push(found.block);
      i = found.closeAt;
    } else if (openingForm(lines[i] as Line, lines[i + 1]) !== null) {
      unclosedOpenings++;
    }
  }
  const situation = own.length === 0 ? 'MISSING' : own.length === 1 ? 'FOUND' : 'REPEATED';
  return { blocks, own, situation, unclosedOpenings };
}

/** A freshly rendered block in the place of a found one: its line ending, and no break if it had none. */
function renderInPlaceOf(found: FoundBlock, coords: BlockCoordinates): string {
  const block = renderBlock(coords, found.lineEnding);
  return found.text.endsWith('\n') ? block : block.slice(0, -found.lineEnding.length);
}

/**
 * Rewrites every copy of the meeting's own block and nothing else; when the organizer deleted it, their
 * text stays as it is and a fresh block is appended after it (SPEC §2).
 */
export function rewriteOwnBlock(
  body: string,
  key: OwnBlockKey,
  coords: BlockCoordinates,
): { body: string; survey: BlockSurvey; block: string } {
  const survey = surveyBody(body, key);
  const first = survey.own[0];
  if (first === undefined) {
    return { body: appendBlock(body, coords), survey, block: renderBlock(coords, lineEndingOf(body)) };
  }
  let rewritten = '';
  let at = 0;
  for (const found of survey.own) {
    rewritten += body.slice(at, found.start) + renderInPlaceOf(found, coords);
    at = found.end;
  }
  return { body: rewritten + body.slice(at), survey, block: renderBlock(coords, first.lineEnding) };
}

function lineEndingOf(body: string): '\n' | '\r\n' {
  const lf = body.indexOf('\n');
  return lf > 0 && body.charCodeAt(lf - 1) === 13 ? '\r\n' : '\n';
}

/**
 * A new meeting's body: the organizer's text unchanged, a blank line, then the block. Text that already
 * ends in a blank line gets no second one; an empty body becomes the block alone.
 */
export function appendBlock(body: string, coords: BlockCoordinates): string {
  const eol = lineEndingOf(body);
  const block = renderBlock(coords, eol);
  if (body === '') return block;
  let text = body;
  if (!text.endsWith('\n')) text += eol;
  if (splitLines(text).at(-1)?.content !== '') text += eol;
  return text + block;
}
