/** Whose block it is (SPEC §2): only the meeting's own block is rewritten, whatever else the body holds. */
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  type BlockCoordinates,
  type OwnBlockKey,
  renderBlock,
  rewriteOwnBlock,
  SKYPE_DELIMITER,
  SKYPE_JOIN_PREFIX,
  surveyBody,
  TEAMS_DELIMITER,
  TEAMS_HEADER,
} from '../../server/domain/meeting-block.ts';
import {
  adversarialCases,
  coordinates,
  EOLS,
  type Eol,
  fillCases,
  organizerText,
  otherSkype,
  otherTeams,
  skypeDialIn,
  teamsDialIn,
} from '../support/blocks.ts';

/** The meeting's block as the add-in wrote it, and what it becomes. */
const own: BlockCoordinates = { ...skypeDialIn, joinUrl: 'https://meet.contoso.com/alice/OWN1' };
const key: OwnBlockKey = { joinUrl: own.joinUrl, conferenceId: own.dialIn?.conferenceId ?? null };
const next: BlockCoordinates = { ...teamsDialIn, joinUrl: 'https://teams.microsoft.com/l/meetup-join/NEW1' };

const ownBlock = (eol: Eol) => renderBlock(own, eol);
const newBlock = (eol: Eol) => renderBlock(next, eol);
const rewrite = (body: string) => rewriteOwnBlock(body, key, next);

describe('only the own block changes', () => {
  for (const eol of EOLS) {
    for (const { name, parts, otherBlocks, unclosedOpenings } of adversarialCases(own.joinUrl, eol)) {
      test(`${name} (${JSON.stringify(eol)})`, () => {
        const { body, expected } = fillCases(parts, ownBlock(eol), newBlock(eol), eol);
        const result = rewrite(body);
        expect(result.survey).toMatchObject({ situation: 'FOUND', unclosedOpenings });
        expect(result.survey.blocks).toHaveLength(otherBlocks + 1);
        expect(Buffer.from(result.body, 'utf8').equals(Buffer.from(expected, 'utf8'))).toBe(true);
        expect(rewriteOwnBlock(result.body, { joinUrl: next.joinUrl, conferenceId: null }, next).body).toBe(
          result.body,
        );
      });
    }
  }

  test('mixed line endings: the block keeps its own, the text around keeps theirs', () => {
    const before = 'LF line\nCRLF line\r\nlone CR\rstill the same line\n';
    const after = '\r\nCRLF after\nLF after';
    const result = rewrite(before + ownBlock('\r\n') + after);
    expect(result.body).toBe(before + newBlock('\r\n') + after);
  });

  test('a lone delimiter line inside the own block is part of it', () => {
    const inside = ownBlock('\n').replace('Help:', `${SKYPE_DELIMITER}\nHelp:`);
    const result = rewrite(`intro\n${inside}outro\n`);
    expect(result.body).toBe(`intro\n${newBlock('\n')}outro\n`);
  });

  test('a truncated copy of the own block (its closing lines cut) is text; the complete one is rewritten', () => {
    const truncated = ownBlock('\n').split('\n').slice(0, 4).join('\n');
    const body = `${truncated}\nforwarded text\n${ownBlock('\n')}`;
    const result = rewrite(body);
    expect(result.survey).toMatchObject({ situation: 'FOUND', unclosedOpenings: 1 });
    expect(result.body).toBe(`${truncated}\nforwarded text\n${newBlock('\n')}`);
  });

  test('the own block twice: both copies are rewritten, the text between stays', () => {
    for (const eol of EOLS) {
      const body = `Hi${eol}${ownBlock(eol)}${eol}---- Forwarded ----${eol}${ownBlock(eol)}end`;
      const result = rewrite(body);
      expect(result.survey.situation).toBe('REPEATED');
      expect(result.survey.own).toHaveLength(2);
      expect(result.body).toBe(`Hi${eol}${newBlock(eol)}${eol}---- Forwarded ----${eol}${newBlock(eol)}end`);
    }
  });

  test('a dial-in-only block (its join line deleted) is identified by its conference ID', () => {
    const teamsKey = { joinUrl: teamsDialIn.joinUrl, conferenceId: teamsDialIn.dialIn?.conferenceId ?? null };
    const dialInOnly = renderBlock(teamsDialIn)
      .split('\n')
      .filter((l) => !l.startsWith('Click here to join'))
      .join('\n');
    const body = `x\n${renderBlock(otherTeams)}${dialInOnly}`;
    const survey = surveyBody(body, teamsKey);
    expect(survey.own.map((b) => b.text)).toEqual([dialInOnly]);
    expect(survey.blocks).toHaveLength(2);
    expect(surveyBody(body, { ...teamsKey, conferenceId: '99999' }).own).toHaveLength(0);
    expect(rewriteOwnBlock(body, teamsKey, next).body).toBe(`x\n${renderBlock(otherTeams)}${newBlock('\n')}`);
  });

  test('an opening with no closing before the own block cannot take it in, whatever follows', () => {
    const teamsOpening = `${TEAMS_DELIMITER}\n${TEAMS_HEADER}\n`;
    const body = `${teamsOpening}${ownBlock('\n')}later a stray line:\n${TEAMS_DELIMITER}\n`;
    const result = rewrite(body);
    expect(result.survey).toMatchObject({ situation: 'FOUND', unclosedOpenings: 1 });
    expect(result.body).toBe(`${teamsOpening}${newBlock('\n')}later a stray line:\n${TEAMS_DELIMITER}\n`);
  });

  test('the own block deleted: the text stays, a fresh block is appended in the body’s own line ending', () => {
    for (const [text, eol, expected] of [
      ['Agenda\r\nItems', '\r\n', 'Agenda\r\nItems\r\n\r\n'],
      ['Agenda\nItems\n', '\n', 'Agenda\nItems\n\n'],
      ['', '\n', ''],
    ] as const) {
      const result = rewrite(text);
      expect(result.survey.situation).toBe('MISSING');
      expect(result.body).toBe(expected + newBlock(eol));
      expect(result.block).toBe(newBlock(eol));
    }
    const onlyOthers = `See ${own.joinUrl}\r\n${renderBlock(otherTeams, '\r\n')}`;
    const result = rewrite(onlyOthers);
    expect(result.survey).toMatchObject({ situation: 'MISSING' });
    expect(result.survey.blocks).toHaveLength(1);
    expect(result.body).toBe(`${onlyOthers}\r\n${newBlock('\r\n')}`);
  });
});

/** Text that looks like blocks but is not this meeting's: other meetings' blocks, parts of blocks, stray lines. */
function blockLikeFragment(eol: Eol): fc.Arbitrary<string> {
  const other = fc.oneof(coordinates('SKYPE_FOR_BUSINESS'), coordinates('TEAMS'));
  return fc.oneof(
    other.map((c) => renderBlock(c, eol)),
    other.chain((c) =>
      fc.nat({ max: 6 }).map((keep) => renderBlock(c, eol).split(eol).slice(0, keep).join(eol) + eol),
    ),
    fc.constantFrom(
      SKYPE_DELIMITER + eol,
      TEAMS_DELIMITER + eol,
      TEAMS_HEADER + eol,
      `${SKYPE_JOIN_PREFIX}${otherSkype.joinUrl}${eol}`,
      `${'.'.repeat(79)}${eol}`,
      `quoted: ${own.joinUrl} `,
    ),
  );
}

/**
 * Arbitrary Unicode and block-like fragments. Never the own header after a delimiter line: that would be a
 * second own block by definition (the unit cases above cover the header alone).
 */
function around(eol: Eol): fc.Arbitrary<string> {
  return fc
    .array(fc.oneof(organizerText('binary'), organizerText('grapheme'), blockLikeFragment(eol)), {
      maxLength: 6,
    })
    .map((parts) => parts.join(''));
}

describe('property: every code unit outside the own block survives, and rewriting is idempotent', () => {
  for (const eol of EOLS) {
    test(`arbitrary bodies (${JSON.stringify(eol)})`, () => {
      fc.assert(
        fc.property(around(eol), around(eol), fc.boolean(), (rawPrefix, suffix, twice) => {
          const prefix = rawPrefix === '' || rawPrefix.endsWith('\n') ? rawPrefix : rawPrefix + eol;
          // A suffix starting with a header line would make the own closing line an opening.
          const safeSuffix =
            suffix.startsWith('Join') || suffix.startsWith(TEAMS_HEADER) ? ` ${suffix}` : suffix;
          const copies = twice ? ownBlock(eol) + ownBlock(eol) : ownBlock(eol);
          const body = prefix + copies + safeSuffix;
          const result = rewrite(body);
          const expectedCopies = twice ? newBlock(eol) + newBlock(eol) : newBlock(eol);
          const expected = prefix + expectedCopies + safeSuffix;
          // UTF-16LE compares code unit by code unit, lone surrogates included.
          expect(Buffer.from(result.body, 'utf16le').equals(Buffer.from(expected, 'utf16le'))).toBe(true);
          const again = rewriteOwnBlock(result.body, { joinUrl: next.joinUrl, conferenceId: null }, next);
          expect(again.body).toBe(result.body);
        }),
        { numRuns: 500 },
      );
    });
  }
});
