/** Block coordinates and organizer text for tests of the online meeting block: fixed ones and fast-check arbitraries. */
import fc from 'fast-check';
import {
  type BlockCoordinates,
  type OnlineMeetingType,
  renderBlock,
  SKYPE_DELIMITER,
  SKYPE_JOIN_PREFIX,
  TEAMS_DELIMITER,
  TEAMS_HEADER,
} from '../../server/domain/meeting-block.ts';

export type Eol = '\n' | '\r\n';
export const EOLS: Eol[] = ['\n', '\r\n'];

export const REDMOND = {
  number: '+14255550100',
  tollFree: false,
  city: 'Redmond',
  country: 'US',
  language: 'en-US',
};
export const NUMBERS = [
  REDMOND,
  { number: '+18005550199', tollFree: true, city: 'Seattle', country: 'US', language: 'en-US' },
];

export const NUMBERS_DIAL_IN = {
  numbers: NUMBERS,
  conferenceId: '1',
  localNumbersUrl: 'https://dialin.example',
};

export const skypeDialIn: BlockCoordinates = {
  type: 'SKYPE_FOR_BUSINESS',
  joinUrl: 'https://meet.contoso.com/alice/ABC123',
  dialIn: { numbers: NUMBERS, conferenceId: '12345678', localNumbersUrl: 'https://dialin.contoso.com' },
  helpUrl: 'https://go.microsoft.com/fwlink/?LinkId=389737',
};
export const skypeNoDialIn: BlockCoordinates = {
  ...skypeDialIn,
  joinUrl: 'https://meet.contoso.com/bob/Q?x=1',
  dialIn: null,
};
export const skypeThirdParty: BlockCoordinates = {
  ...skypeDialIn,
  thirdPartyDialIn: { provider: 'InterCall', text: 'US: +1 555 0100\nParticipant code: 998877' },
};
export const teamsDialIn: BlockCoordinates = {
  type: 'TEAMS',
  joinUrl: 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0',
  meetingId: '123 456 789 012',
  passcode: 'aB3xY9',
  dialIn: {
    numbers: NUMBERS,
    conferenceId: '987654321',
    localNumbersUrl: 'https://dialin.teams.microsoft.com/x',
  },
  helpUrl: 'https://aka.ms/JoinTeamsMeeting',
  meetingOptionsUrl: 'https://teams.microsoft.com/meetingOptions/?organizerId=1',
  resetPinUrl: 'https://dialin.teams.microsoft.com/usp/pstnconferencing',
};
export const teamsNoDialIn: BlockCoordinates = {
  type: 'TEAMS',
  joinUrl: 'https://teams.microsoft.com/l/meetup-join/plain',
  dialIn: null,
  helpUrl: 'https://aka.ms/JoinTeamsMeeting',
};
export const teamsThirdParty: BlockCoordinates = {
  ...teamsDialIn,
  thirdPartyDialIn: { provider: 'PGi', text: 'Dial +44 20 7946 0000\r\nAccess code: 4455#' },
};

export const SPECIAL_TEXT = [
  '\r',
  '\n',
  '\r\n',
  '\n\r',
  'שלום עולם',
  'مرحبا بالعالم',
  '\u202Eevil\u202C',
  '\u200F',
  'e\u0301',
  '\u0301\u0302',
  '👩‍👩‍👧‍👦',
  '🇯🇵',
  '👍🏿',
  '\uFEFF',
  '\u2028',
  'ï¿½',
  SKYPE_DELIMITER,
  TEAMS_DELIMITER,
  `\n${SKYPE_DELIMITER}\n`,
  `\r\n${TEAMS_DELIMITER}\r\n`,
];
export const loneSurrogate = fc
  .integer({ min: 0xd800, max: 0xdfff })
  .map((unit) => String.fromCharCode(unit));

/** Organizer text: strings of the given unit mixed with line breaks, scripts, emoji, lone surrogates and delimiter lines. */
export function organizerText(unit: 'binary' | 'grapheme'): fc.Arbitrary<string> {
  return fc
    .array(fc.oneof(fc.string({ unit, maxLength: 12 }), fc.constantFrom(...SPECIAL_TEXT), loneSurrogate), {
      maxLength: 10,
    })
    .map((parts) => parts.join(''));
}

export const dialInNumber = fc.record({
  number: fc.stringMatching(/^\+[1-9]\d{6,14}$/),
  tollFree: fc.boolean(),
  city: fc.string({ unit: 'grapheme', maxLength: 12 }),
  country: fc.constantFrom('US', 'GB', 'IL', 'JP', 'EG'),
  language: fc.constantFrom('en-US', 'en-GB', 'he-IL', 'ja-JP', 'ar-EG'),
});

export function coordinates(type: OnlineMeetingType): fc.Arbitrary<BlockCoordinates> {
  return fc.record({
    type: fc.constant(type),
    joinUrl: fc.webUrl({ withQueryParameters: true }),
    meetingId: fc.option(fc.stringMatching(/^\d{3} \d{3} \d{3} \d{3}$/), { nil: undefined }),
    passcode: fc.option(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 8 }), {
      nil: undefined,
    }),
    dialIn: fc.option(
      fc.record({
        numbers: fc.array(dialInNumber, { maxLength: 3 }),
        conferenceId: fc.stringMatching(/^\d{4,15}$/),
        localNumbersUrl: fc.webUrl(),
      }),
      { nil: null },
    ),
    thirdPartyDialIn: fc.option(
      fc.record({
        provider: fc.string({ unit: 'grapheme', maxLength: 10 }),
        text: organizerText('grapheme'),
      }),
      { nil: null, freq: 4 },
    ),
    helpUrl: fc.webUrl(),
    meetingOptionsUrl: fc.option(fc.webUrl(), { nil: undefined }),
    resetPinUrl: fc.option(fc.webUrl(), { nil: undefined }),
  });
}

export const OTHER: Record<OnlineMeetingType, OnlineMeetingType> = {
  SKYPE_FOR_BUSINESS: 'TEAMS',
  TEAMS: 'SKYPE_FOR_BUSINESS',
};
export const oldAndNew = fc
  .constantFrom<OnlineMeetingType>('SKYPE_FOR_BUSINESS', 'TEAMS')
  .chain((type) => fc.tuple(coordinates(type), coordinates(OTHER[type])));

/** Blocks of other meetings, pasted or forwarded in. */
export const otherSkype: BlockCoordinates = { ...skypeDialIn, joinUrl: 'https://meet.contoso.com/bob/OTHER' };
export const otherTeams: BlockCoordinates = {
  ...teamsDialIn,
  joinUrl: 'https://teams.microsoft.com/l/meetup-join/OTHER',
};

export interface AdversarialCase {
  name: string;
  /** `@` stands for the own block, `@-` for the own block without its final line break. */
  parts: string[];
  /** Complete blocks of other meetings in the body, and opening lines that never close. */
  otherBlocks: number;
  unclosedOpenings: number;
}

/** Bodies that real organizers write around a meeting's own block (SPEC §2). */
export function adversarialCases(ownJoinUrl: string, eol: Eol): AdversarialCase[] {
  const line = (text: string) => text + eol;
  const skypeOther = renderBlock(otherSkype, eol);
  const teamsOther = renderBlock(otherTeams, eol);
  const openingOnly = line(SKYPE_DELIMITER) + line(`${SKYPE_JOIN_PREFIX}${otherSkype.joinUrl}`);
  const plain = (name: string, parts: string[]) => ({ name, parts, otherBlocks: 0, unclosedOpenings: 0 });
  return [
    {
      name: 'another meeting’s Skype block above',
      parts: [line('Hello'), skypeOther, line('notes'), '@', line('bye')],
      otherBlocks: 1,
      unclosedOpenings: 0,
    },
    {
      name: 'another meeting’s Teams block below',
      parts: [line('Hello'), '@', line('old link:'), teamsOther],
      otherBlocks: 1,
      unclosedOpenings: 0,
    },
    {
      name: 'other blocks on both sides, adjacent',
      parts: [teamsOther, '@', skypeOther],
      otherBlocks: 2,
      unclosedOpenings: 0,
    },
    plain('a lone opening delimiter line before', [line('Agenda'), line(SKYPE_DELIMITER), line('x'), '@']),
    {
      name: 'an opening with no closing before',
      parts: [openingOnly, line('text that follows'), '@', line('end')],
      otherBlocks: 0,
      unclosedOpenings: 1,
    },
    {
      name: 'an opening with no closing after',
      parts: ['@', line('P.S.'), openingOnly, line('trailing words')],
      otherBlocks: 0,
      unclosedOpenings: 1,
    },
    {
      name: 'a Teams opening with no closing before',
      parts: [line(TEAMS_DELIMITER), line(TEAMS_HEADER), line('x'), '@'],
      otherBlocks: 0,
      unclosedOpenings: 1,
    },
    plain('a header line without delimiters', [line(`${SKYPE_JOIN_PREFIX}${ownJoinUrl}`), '@']),
    plain('delimiter lines of another length around a copy', [
      line('.'.repeat(79)),
      line(`${SKYPE_JOIN_PREFIX}${ownJoinUrl}`),
      line('.'.repeat(81)),
      '@',
    ]),
    plain('the own join URL quoted in prose', [line(`Join with ${ownJoinUrl} if the button fails`), '@']),
    plain('block first', ['@', line('after')]),
    plain('block last without a final line break', [line('before'), '@-']),
    plain('block alone', ['@']),
    plain('block alone without a final line break', ['@-']),
    plain('body without a final line break after the block', ['@', 'no break at the end']),
  ];
}

/** A case's body with the old own block, and what a rewrite must make of it with the new one. */
export function fillCases(
  parts: string[],
  oldBlock: string,
  newBlock: string,
  eol: Eol,
): { body: string; expected: string } {
  const place = (part: string, block: string) =>
    part === '@' ? block : part === '@-' ? block.slice(0, -eol.length) : part;
  return {
    body: parts.map((part) => place(part, oldBlock)).join(''),
    expected: parts.map((part) => place(part, newBlock)).join(''),
  };
}
