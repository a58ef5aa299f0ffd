import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  appendBlock,
  type BlockCoordinates,
  findBlock,
  findBlocks,
  type OnlineMeetingType,
  renderBlock,
  rewriteOwnBlock,
  SKYPE_DELIMITER,
  TEAMS_DELIMITER,
  TEAMS_HEADER,
} from '../../server/domain/meeting-block.ts';
import {
  EOLS,
  type Eol,
  NUMBERS_DIAL_IN,
  oldAndNew,
  organizerText,
  REDMOND,
  SPECIAL_TEXT,
  skypeDialIn,
  skypeNoDialIn,
  skypeThirdParty,
  teamsDialIn,
  teamsNoDialIn,
  teamsThirdParty,
} from '../support/blocks.ts';

const FIXTURES: [string, BlockCoordinates][] = [
  ['Skype with dial-in', skypeDialIn],
  ['Skype without dial-in', skypeNoDialIn],
  ['Skype with a third-party provider', skypeThirdParty],
  ['Teams with dial-in', teamsDialIn],
  ['Teams without dial-in', teamsNoDialIn],
  ['Teams with a third-party provider', teamsThirdParty],
];

/** What findBlock should read back from a block rendered for these coordinates. */
function expectedFields(c: BlockCoordinates) {
  return {
    type: c.type,
    joinUrl: c.joinUrl,
    conferenceId: c.dialIn && !c.thirdPartyDialIn ? c.dialIn.conferenceId : null,
    meetingId: c.type === 'TEAMS' ? (c.meetingId ?? null) : null,
  };
}

const DELIMITER_LIKE = /^[\s._]*[._][\s._]*$/;
const ANY_LINE_BREAK = /[\n\v\f\r\u0085\u2028\u2029]/;

function renderedLines(block: string, eol: Eol): string[] {
  expect(block.endsWith(eol)).toBe(true);
  return block.slice(0, -eol.length).split(eol);
}

/** The rule these tests use to place a block: it must start a line, so a prefix gets an LF unless it ends in one. */
function asBlockPrefix(prefix: string): string {
  return prefix === '' || prefix.endsWith('\n') ? prefix : `${prefix}\n`;
}

/** Rewrites the own block of a meeting whose stored coordinates are `from`. */
function rewriteFrom(body: string, from: BlockCoordinates, to: BlockCoordinates) {
  return rewriteOwnBlock(
    body,
    { joinUrl: from.joinUrl, conferenceId: from.dialIn?.conferenceId ?? null },
    to,
  );
}

describe('exact format', () => {
  test('Skype form with dial-in', () => {
    expect(renderBlock(skypeDialIn)).toBe(
      [
        SKYPE_DELIMITER,
        'Join Skype Meeting https://meet.contoso.com/alice/ABC123',
        'Trouble Joining? Try Skype Web App https://meet.contoso.com/alice/ABC123?sl=1',
        'Join by phone',
        '+14255550100  Redmond (US)  Toll  en-US',
        '+18005550199  Seattle (US)  Toll free  en-US',
        'Find a local number: https://dialin.contoso.com',
        '',
        'Conference ID: 12345678',
        'Help: https://go.microsoft.com/fwlink/?LinkId=389737',
        '[!OC([1033])!]',
        SKYPE_DELIMITER,
        '',
      ].join('\n'),
    );
    expect(SKYPE_DELIMITER).toBe('.'.repeat(80));
  });

  test('Skype web app link appends sl=1 with & when the join URL already has a query', () => {
    expect(renderBlock(skypeNoDialIn)).toContain(
      'Trouble Joining? Try Skype Web App https://meet.contoso.com/bob/Q?x=1&sl=1\n',
    );
  });

  test('Skype form with a third-party provider shows its text instead of the numbers', () => {
    expect(renderBlock(skypeThirdParty, '\r\n')).toBe(
      [
        SKYPE_DELIMITER,
        'Join Skype Meeting https://meet.contoso.com/alice/ABC123',
        'Trouble Joining? Try Skype Web App https://meet.contoso.com/alice/ABC123?sl=1',
        'Join by phone (InterCall)',
        'US: +1 555 0100',
        'Participant code: 998877',
        'Help: https://go.microsoft.com/fwlink/?LinkId=389737',
        '[!OC([1033])!]',
        SKYPE_DELIMITER,
        '',
      ].join('\r\n'),
    );
  });

  test('Teams form with dial-in', () => {
    expect(renderBlock(teamsDialIn)).toBe(
      [
        TEAMS_DELIMITER,
        'Microsoft Teams meeting',
        'Join on your computer, mobile app or room device',
        'Click here to join the meeting https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0',
        'Meeting ID: 123 456 789 012',
        'Passcode: aB3xY9',
        'Or call in (audio only)',
        '+14255550100  Redmond (US)  Toll  en-US',
        '+18005550199  Seattle (US)  Toll free  en-US',
        'Phone Conference ID: 987654321#',
        'Find a local number: https://dialin.teams.microsoft.com/x | Reset PIN: https://dialin.teams.microsoft.com/usp/pstnconferencing',
        'Learn More: https://aka.ms/JoinTeamsMeeting | Meeting options: https://teams.microsoft.com/meetingOptions/?organizerId=1',
        TEAMS_DELIMITER,
        '',
      ].join('\n'),
    );
    expect(TEAMS_DELIMITER).toBe('_'.repeat(80));
  });

  test('Teams form without dial-in, meeting ID or options', () => {
    expect(renderBlock(teamsNoDialIn)).toBe(
      [
        TEAMS_DELIMITER,
        'Microsoft Teams meeting',
        'Join on your computer, mobile app or room device',
        'Click here to join the meeting https://teams.microsoft.com/l/meetup-join/plain',
        'Learn More: https://aka.ms/JoinTeamsMeeting',
        TEAMS_DELIMITER,
        '',
      ].join('\n'),
    );
  });

  test('Teams form with a third-party provider', () => {
    const lines = renderedLines(renderBlock(teamsThirdParty), '\n');
    expect(lines.slice(6, 9)).toEqual([
      'Or call in (audio only) with PGi',
      'Dial +44 20 7946 0000',
      'Access code: 4455#',
    ]);
    expect(lines.join('\n')).not.toContain('Phone Conference ID');
  });
});

describe('render → find round trip', () => {
  for (const [name, coords] of FIXTURES) {
    for (const eol of EOLS) {
      test(`${name}, ${JSON.stringify(eol)}`, () => {
        const block = renderBlock(coords, eol);
        // CRLF renders must not contain a bare LF, and LF renders no CR.
        for (const line of renderedLines(block, eol)) expect(line).not.toMatch(/[\r\n]/);

        const alone = findBlock(block);
        expect(alone).toEqual({
          start: 0,
          end: block.length,
          ...expectedFields(coords),
          lineEnding: eol,
          text: block,
        });

        const before = `Hi all,${eol}العربية עִבְרִית 日本語 👩🏽‍💻 é${eol}${eol}`;
        const after = `${eol}Thanks!${eol}`;
        const found = findBlock(before + block + after);
        expect(found).toEqual({ ...alone, start: before.length, end: before.length + block.length });
      });
    }
  }

  test('a block ending the body without a final line break is found and replaced without one', () => {
    for (const eol of EOLS) {
      const block = renderBlock(teamsDialIn, eol).slice(0, -eol.length);
      const body = `Agenda${eol}${block}`;
      const found = findBlock(body);
      expect(found?.text).toBe(block);
      expect(found?.end).toBe(body.length);
      expect(found?.lineEnding).toBe(eol);

      const result = rewriteFrom(body, teamsDialIn, skypeDialIn);
      expect(result.body).toBe(`Agenda${eol}${renderBlock(skypeDialIn, eol).slice(0, -eol.length)}`);
    }
  });

  test('the conference ID is read as digits, without the trailing # of Teams', () => {
    const found = findBlock(
      renderBlock({ ...teamsDialIn, dialIn: { ...NUMBERS_DIAL_IN, conferenceId: '0042' } }),
    );
    expect(found?.conferenceId).toBe('0042');
    const spaced = renderBlock(teamsDialIn).replace(
      'Phone Conference ID: 987654321#',
      'Phone Conference ID: 987 654 321#',
    );
    expect(findBlock(spaced)?.conferenceId).toBe('987654321');
  });
});

describe('what is not a block', () => {
  const decorated = [
    'Agenda',
    SKYPE_DELIMITER,
    '1. Budget',
    TEAMS_DELIMITER,
    '',
    SKYPE_DELIMITER,
    TEAMS_DELIMITER,
    `${TEAMS_DELIMITER} `,
    `x${SKYPE_DELIMITER}`,
    '.'.repeat(79),
    '_'.repeat(81),
    'Notes',
    SKYPE_DELIMITER,
  ].join('\n');

  test('organizer lines of periods or underscores without a header line', () => {
    expect(findBlocks(decorated)).toEqual([]);
    expect(rewriteFrom(decorated, teamsDialIn, teamsDialIn).survey.situation).toBe('MISSING');
    expect(findBlocks(decorated.replaceAll('\n', '\r\n'))).toEqual([]);
  });

  test('such lines right before and after a real block do not move its boundaries', () => {
    for (const coords of [skypeDialIn, teamsDialIn]) {
      const block = renderBlock(coords);
      const body = `${decorated}\n${block}${decorated}`;
      const blocks = findBlocks(body);
      expect(blocks).toHaveLength(1);
      expect(blocks[0]?.start).toBe(decorated.length + 1);
      expect(blocks[0]?.text).toBe(block);
    }
  });

  test('a delimiter with the other form’s header, or a header without a closing delimiter', () => {
    expect(findBlock(`${SKYPE_DELIMITER}\n${TEAMS_HEADER}\nClick here\n${SKYPE_DELIMITER}\n`)).toBeNull();
    expect(findBlock(`${TEAMS_DELIMITER}\nJoin Skype Meeting https://x\n${TEAMS_DELIMITER}\n`)).toBeNull();
    expect(
      findBlock(`${TEAMS_DELIMITER}\n${TEAMS_HEADER}\nno closing line\n${SKYPE_DELIMITER}\n`),
    ).toBeNull();
    expect(findBlock(renderBlock(teamsDialIn).slice(0, -(TEAMS_DELIMITER.length + 1)))).toBeNull();
  });

  test('a block must start a line: a lone CR is text, not a line break', () => {
    const block = renderBlock(skypeDialIn);
    expect(findBlock(`Hello\r${block}`)).toBeNull();
    expect(findBlock(`Hello\r\n${block}`)?.start).toBe(7);
    expect(findBlock(`Hello ${block}`)).toBeNull();
  });
});

describe('several blocks', () => {
  test('findBlocks finds both; a rewrite replaces the meeting’s own only', () => {
    const first = renderBlock(skypeDialIn);
    const second = renderBlock(teamsDialIn);
    const intro = 'Weekly sync 🗓️\n';
    const middle = '\nPrevious link, kept for reference:\n';
    const outro = '\nשלום\n';
    const body = intro + first + middle + second + outro;

    const blocks = findBlocks(body);
    expect(blocks.map((b) => [b.type, b.start, b.end, b.text])).toEqual([
      ['SKYPE_FOR_BUSINESS', intro.length, intro.length + first.length, first],
      ['TEAMS', body.length - outro.length - second.length, body.length - outro.length, second],
    ]);
    expect(findBlock(body)).toEqual(blocks[0]);

    const result = rewriteFrom(body, skypeDialIn, teamsNoDialIn);
    expect(result.survey.own).toEqual([blocks[0]]);
    expect(result.body).toBe(intro + renderBlock(teamsNoDialIn) + middle + second + outro);
    const other = rewriteFrom(body, teamsDialIn, teamsNoDialIn);
    expect(other.survey.own).toEqual([blocks[1]]);
    expect(other.body).toBe(intro + first + middle + renderBlock(teamsNoDialIn) + outro);
  });

  test('blocks never overlap: a block quoted inside another is part of the outer one', () => {
    const inner = renderBlock(skypeDialIn);
    const outer = renderBlock(teamsNoDialIn).replace('Learn More:', `${inner}Learn More:`);
    const blocks = findBlocks(`x\n${outer}`);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toMatchObject({ type: 'TEAMS', start: 2, text: outer });
  });

  test('two adjacent blocks of the same form', () => {
    const a = renderBlock(teamsDialIn, '\r\n');
    const b = renderBlock(teamsNoDialIn, '\r\n');
    expect(findBlocks(a + b).map((f) => f.text)).toEqual([a, b]);
  });
});

describe('rewriteOwnBlock', () => {
  const organizer = 'Hello team,\nplease review ✅ — مراجعة — 😀 — e\u0301\n\n';
  const signoff = '\n-- \nAlice 🇩🇪\n';

  test('Skype → Teams and Teams → Skype', () => {
    const skypeBody = organizer + renderBlock(skypeDialIn) + signoff;
    const toTeams = rewriteFrom(skypeBody, skypeDialIn, teamsDialIn);
    expect(toTeams.survey.own[0]?.type).toBe('SKYPE_FOR_BUSINESS');
    expect(toTeams.body).toBe(organizer + renderBlock(teamsDialIn) + signoff);
    expect(findBlock(toTeams.body)).toMatchObject(expectedFields(teamsDialIn));

    const back = rewriteFrom(toTeams.body, teamsDialIn, skypeNoDialIn);
    expect(back.survey.own[0]?.type).toBe('TEAMS');
    expect(back.survey.own[0]?.joinUrl).toBe(teamsDialIn.joinUrl);
    expect(back.body).toBe(organizer + renderBlock(skypeNoDialIn) + signoff);
    expect(findBlock(back.body)).toMatchObject(expectedFields(skypeNoDialIn));
  });

  test('the new block takes the found block’s line ending', () => {
    const body = `Hi\r\n${renderBlock(teamsDialIn, '\r\n')}Bye\n`;
    const result = rewriteFrom(body, teamsDialIn, skypeDialIn);
    expect(result.body).toBe(`Hi\r\n${renderBlock(skypeDialIn, '\r\n')}Bye\n`);
  });

  test('rewriting twice is stable: the second rewrite finds the block the first wrote', () => {
    for (const eol of EOLS) {
      const body = organizer + renderBlock(skypeThirdParty, eol) + signoff;
      const once = rewriteFrom(body, skypeThirdParty, teamsThirdParty);
      const twice = rewriteFrom(once.body, teamsThirdParty, teamsThirdParty);
      expect(twice.body).toBe(once.body);
      expect(twice.survey.own[0]?.text).toBe(renderBlock(teamsThirdParty, eol));
      expect(twice.survey.own[0]?.start).toBe(once.survey.own[0]?.start);
      expect(twice.survey.own[0]?.lineEnding).toBe(eol);
    }
  });
});

describe('rewriteOwnBlock keeps every code unit outside the block', () => {
  for (const unit of ['binary', 'grapheme'] as const) {
    test(`arbitrary ${unit} text around the block`, () => {
      fc.assert(
        fc.property(
          organizerText(unit),
          organizerText(unit),
          oldAndNew,
          fc.constantFrom<Eol>(...EOLS),
          (rawPrefix, suffix, [oldCoords, newCoords], eol) => {
            const prefix = asBlockPrefix(rawPrefix);
            const oldBlock = renderBlock(oldCoords, eol);
            const body = prefix + oldBlock + suffix;

            const result = rewriteFrom(body, oldCoords, newCoords);
            const [replaced, ...more] = result.survey.own;
            expect(more).toEqual([]);
            if (replaced === undefined) throw new Error('block not found');
            const newBlock = renderBlock(newCoords, eol);
            expect(replaced).toMatchObject({
              start: prefix.length,
              end: prefix.length + oldBlock.length,
              text: oldBlock,
              lineEnding: eol,
              ...expectedFields(oldCoords),
            });
            expect(result.body).toBe(prefix + newBlock + suffix);

            const head = result.body.slice(0, replaced.start);
            const tail = result.body.slice(replaced.start + newBlock.length);
            // UTF-16LE bytes compare code unit by code unit, lone surrogates included.
            expect(Buffer.from(head, 'utf16le').equals(Buffer.from(prefix, 'utf16le'))).toBe(true);
            expect(Buffer.from(tail, 'utf16le').equals(Buffer.from(suffix, 'utf16le'))).toBe(true);
            if (body.isWellFormed()) {
              expect(Buffer.from(head, 'utf8').equals(Buffer.from(prefix, 'utf8'))).toBe(true);
              expect(Buffer.from(tail, 'utf8').equals(Buffer.from(suffix, 'utf8'))).toBe(true);
              const expected = Buffer.concat([prefix, newBlock, suffix].map((s) => Buffer.from(s, 'utf8')));
              expect(Buffer.from(result.body, 'utf8').equals(expected)).toBe(true);
            }

            expect(findBlock(result.body)).toMatchObject({ start: prefix.length, text: newBlock });
          },
        ),
        { numRuns: 400 },
      );
    });
  }
});

describe('field values cannot inject lines', () => {
  const injection = `\n${TEAMS_DELIMITER}\r\n${TEAMS_HEADER}\rJoin Skype Meeting https://evil\u2028${SKYPE_DELIMITER}\n`;

  test('line breaks in every field are removed; the block keeps its shape', () => {
    const poisoned = (c: BlockCoordinates): BlockCoordinates => ({
      ...c,
      joinUrl: c.joinUrl + injection,
      meetingId: c.meetingId && c.meetingId + injection,
      passcode: c.passcode && injection + c.passcode,
      helpUrl: injection + c.helpUrl,
      meetingOptionsUrl: c.meetingOptionsUrl && c.meetingOptionsUrl + injection,
      resetPinUrl: c.resetPinUrl && c.resetPinUrl + injection,
      dialIn: c.dialIn && {
        numbers: c.dialIn.numbers.map((n) => ({ ...n, city: n.city + injection, language: injection })),
        conferenceId: `${c.dialIn.conferenceId}\r\n`,
        localNumbersUrl: c.dialIn.localNumbersUrl + injection,
      },
    });
    for (const coords of [skypeDialIn, teamsDialIn]) {
      for (const eol of EOLS) {
        const clean = renderBlock(coords, eol);
        const dirty = renderBlock(poisoned(coords), eol);
        const lines = renderedLines(dirty, eol);
        expect(lines).toHaveLength(renderedLines(clean, eol).length);
        expect(lines.filter((l) => DELIMITER_LIKE.test(l))).toHaveLength(2);

        const blocks = findBlocks(`intro${eol}${dirty}outro`);
        expect(blocks).toHaveLength(1);
        expect(blocks[0]?.text).toBe(dirty);
        expect(blocks[0]?.conferenceId).toBe(coords.dialIn?.conferenceId);
        expect(blocks[0]?.joinUrl).toBe(coords.joinUrl + injection.replace(/[\r\n\u2028]/g, ''));
      }
    }
  });

  test('third-party text keeps its own lines but drops delimiter-like ones', () => {
    const coords: BlockCoordinates = {
      ...teamsNoDialIn,
      thirdPartyDialIn: {
        provider: `Acme\n${TEAMS_DELIMITER}`,
        text: `Call +1 555 0100\n${TEAMS_DELIMITER}\n${SKYPE_DELIMITER}\r\n . _ \nCode: 42#`,
      },
    };
    const block = renderBlock(coords);
    const lines = renderedLines(block, '\n');
    expect(lines.filter((l) => DELIMITER_LIKE.test(l))).toEqual([TEAMS_DELIMITER, TEAMS_DELIMITER]);
    expect(lines).toContain(`Or call in (audio only) with Acme${TEAMS_DELIMITER}`);
    expect(lines).toContain('Call +1 555 0100');
    expect(lines).toContain('Code: 42#');
    expect(findBlocks(block).map((b) => b.text)).toEqual([block]);
  });

  test('number lines and third-party text cannot pass for the parsed fields', () => {
    const spoofNumber = { ...REDMOND, number: 'Conference ID: 666' };
    const teamsSpoof = { ...spoofNumber, number: 'Phone Conference ID: 666#' };
    const skype = findBlock(
      renderBlock({
        ...skypeDialIn,
        dialIn: { ...NUMBERS_DIAL_IN, numbers: [spoofNumber], conferenceId: '5555' },
      }),
    );
    expect(skype?.conferenceId).toBe('5555');
    const teams = findBlock(
      renderBlock({
        ...teamsNoDialIn,
        dialIn: { ...NUMBERS_DIAL_IN, numbers: [teamsSpoof], conferenceId: '7777' },
      }),
    );
    expect(teams?.conferenceId).toBe('7777');

    const text =
      'Or call in (audio only)\nMeeting ID: 666\nClick here to join the meeting https://evil\nPhone Conference ID: 666#';
    const thirdParty = findBlock(
      renderBlock({ ...teamsNoDialIn, thirdPartyDialIn: { provider: 'X', text } }),
    );
    expect(thirdParty).toMatchObject({ joinUrl: teamsNoDialIn.joinUrl, meetingId: null, conferenceId: null });
    const skypeText = 'Join by phone\nConference ID: 666';
    const skypeThird = findBlock(
      renderBlock({ ...skypeNoDialIn, thirdPartyDialIn: { provider: 'X', text: skypeText } }),
    );
    expect(skypeThird?.conferenceId).toBeNull();
  });

  test('arbitrary field values: one block, two delimiter lines, no stray line breaks', () => {
    const value = fc
      .array(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 8 }),
          fc.constantFrom(...SPECIAL_TEXT, TEAMS_HEADER, 'Join Skype Meeting ', 'Conference ID: 1'),
        ),
        { maxLength: 5 },
      )
      .map((parts) => parts.join(''));
    const number = fc.record({
      number: value,
      tollFree: fc.boolean(),
      city: value,
      country: value,
      language: value,
    });
    const arbitraryCoords = fc.record({
      type: fc.constantFrom<OnlineMeetingType>('SKYPE_FOR_BUSINESS', 'TEAMS'),
      joinUrl: value,
      meetingId: value,
      passcode: value,
      dialIn: fc.option(
        fc.record({
          numbers: fc.array(number, { maxLength: 3 }),
          conferenceId: value,
          localNumbersUrl: value,
        }),
        { nil: null },
      ),
      thirdPartyDialIn: fc.option(fc.record({ provider: value, text: value }), { nil: null }),
      helpUrl: value,
      meetingOptionsUrl: value,
      resetPinUrl: value,
    });
    fc.assert(
      fc.property(arbitraryCoords, fc.constantFrom<Eol>(...EOLS), (coords, eol) => {
        const block = renderBlock(coords, eol);
        const lines = renderedLines(block, eol);
        for (const line of lines) expect(line).not.toMatch(ANY_LINE_BREAK);
        const delimiter = coords.type === 'TEAMS' ? TEAMS_DELIMITER : SKYPE_DELIMITER;
        expect(lines[0]).toBe(delimiter);
        expect(lines.at(-1)).toBe(delimiter);
        expect(lines.filter((l) => DELIMITER_LIKE.test(l))).toHaveLength(2);

        const blocks = findBlocks(block);
        expect(blocks).toHaveLength(1);
        expect(blocks[0]).toMatchObject({ start: 0, end: block.length, type: coords.type });
        expect(blocks[0]?.joinUrl).toBe(coords.joinUrl.replace(new RegExp(ANY_LINE_BREAK, 'g'), '') || null);
      }),
      { numRuns: 300 },
    );
  });
});

describe('appendBlock', () => {
  test('organizer text, a blank line, then the block, in the body’s line ending', () => {
    expect(appendBlock('Agenda: 🚀', teamsDialIn)).toBe(`Agenda: 🚀\n\n${renderBlock(teamsDialIn)}`);
    expect(appendBlock('Agenda\r\nItems', skypeDialIn)).toBe(
      `Agenda\r\nItems\r\n\r\n${renderBlock(skypeDialIn, '\r\n')}`,
    );
    expect(appendBlock('Agenda\n', skypeDialIn)).toBe(`Agenda\n\n${renderBlock(skypeDialIn)}`);
    expect(appendBlock('Agenda\r\n\r\n', teamsDialIn)).toBe(
      `Agenda\r\n\r\n${renderBlock(teamsDialIn, '\r\n')}`,
    );
    expect(appendBlock('', teamsNoDialIn)).toBe(renderBlock(teamsNoDialIn));
  });

  test('the appended block is found after the untouched organizer text', () => {
    fc.assert(
      fc.property(organizerText('binary'), oldAndNew, (text, [coords]) => {
        const firstLf = text.indexOf('\n');
        const eol: Eol = firstLf > 0 && text[firstLf - 1] === '\r' ? '\r\n' : '\n';
        const body = appendBlock(text, coords);
        expect(body.startsWith(text)).toBe(true);
        const found = findBlocks(body).at(-1);
        expect(found).toMatchObject({
          end: body.length,
          text: renderBlock(coords, eol),
          ...expectedFields(coords),
        });
        // Only line breaks separate the organizer text from the block.
        expect(body.slice(text.length, found?.start)).toMatch(/^(\r?\n)*$/);
      }),
      { numRuns: 300 },
    );
  });
});
