/** The demo data: deterministic, covering every case of SPEC §3 and every kind of meeting, and valid. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { seedDemo } from '../../server/demo/seed.ts';
import { meetingCoordinates, schedulingMeetingType } from '../../server/domain/coordinates.ts';
import { findBlock, renderBlock, surveyBody } from '../../server/domain/meeting-block.ts';
import { lastOccurrenceEnd, recurrenceRule } from '../../server/domain/recurrence.ts';
import * as validate from '../../server/domain/validation.ts';
import { type OpenedDatabase, openDatabase } from '../../server/storage/database.ts';
import { bridgeNumberFromRow, tenantFromRow, userFromRow } from '../../server/storage/rows.ts';
import type { BridgeNumberRow, MeetingRow, TenantRow, UserRow } from '../../server/storage/tables.ts';

const NOW = new Date('2026-11-24T10:30:00.000Z');
const SIZE = { users: 60, meetingsPerUser: 12 };
const SEED = 7;

/** The generator is checked on SQLite, whatever MMS_TEST_BACKEND says: its rows are the same on both. */
function handleOf(opened: OpenedDatabase) {
  if (opened.backend !== 'sqlite') throw new Error('seeded in memory: SQLite');
  return opened.sqlite;
}

async function seeded(seed: number): Promise<OpenedDatabase> {
  const opened = await openDatabase(':memory:');
  await seedDemo(opened, { ...SIZE, seed, now: NOW });
  return opened;
}

/** A digest of every row of every table of the application (Kysely's own bookkeeping holds clock times). */
function digestOf(sqlite: SQLite.Database): string {
  const hash = createHash('sha256');
  const tables = sqlite
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'kysely_%' ORDER BY name",
    )
    .pluck()
    .all() as string[];
  for (const table of tables) {
    hash.update(`\u0000${table}\u0000`);
    for (const row of sqlite.prepare(`SELECT * FROM "${table}" ORDER BY rowid`).iterate()) {
      hash.update(JSON.stringify(row));
    }
  }
  return hash.digest('hex');
}

let opened: OpenedDatabase;
let sqlite: SQLite.Database;
let users: UserRow[];
let meetings: MeetingRow[];

beforeAll(async () => {
  opened = await seeded(SEED);
  sqlite = handleOf(opened);
  users = sqlite.prepare('SELECT * FROM users ORDER BY id').all() as UserRow[];
  meetings = sqlite.prepare('SELECT * FROM meetings ORDER BY id').all() as MeetingRow[];
});

afterAll(async () => {
  await opened.close();
});

describe('seedDemo', () => {
  test('the same seed and now give byte-identical rows; another seed gives others', async () => {
    const twin = await seeded(SEED);
    const other = await seeded(SEED + 1);
    try {
      expect(meetings.length).toBe(SIZE.users * SIZE.meetingsPerUser);
      expect(digestOf(handleOf(twin))).toBe(digestOf(sqlite));
      expect(digestOf(handleOf(other))).not.toBe(digestOf(sqlite));
    } finally {
      await twin.close();
      await other.close();
    }
  });

  test('writes the Contoso tenant and bridges with E.164 numbers in several countries', () => {
    const tenants = (sqlite.prepare('SELECT * FROM tenants').all() as TenantRow[]).map(tenantFromRow);
    expect(tenants).toHaveLength(1);
    expect(tenants[0]).toMatchObject({
      name: 'Contoso',
      primaryDomain: 'contoso.com',
      meetingUrl: 'https://meet.contoso.com',
    });
    const bridges = sqlite.prepare('SELECT * FROM bridges').all() as { is_default: number }[];
    expect(bridges.length).toBeGreaterThanOrEqual(3);
    expect(bridges.filter((b) => b.is_default === 1)).toHaveLength(1);
    const numbers = (sqlite.prepare('SELECT * FROM bridge_numbers').all() as BridgeNumberRow[]).map(
      bridgeNumberFromRow,
    );
    for (const n of numbers) {
      expect(validate.e164('number', n.number)).toBe(n.number);
      expect(validate.countryCode('country', n.country)).toBe(n.country);
      expect(validate.languageTag('language', n.language)).toBe(n.language);
    }
    expect(new Set(numbers.map((n) => n.country)).size).toBeGreaterThanOrEqual(3);
  });

  test('users cover every case of SPEC §3', () => {
    const all = users.map(userFromRow);
    const count = (predicate: (user: (typeof all)[number]) => boolean) => all.filter(predicate).length;
    const numberRows = sqlite.prepare('SELECT * FROM bridge_numbers').all() as BridgeNumberRow[];
    const numbers = new Map(numberRows.map((row) => [row.id, bridgeNumberFromRow(row)]));

    const categories = {
      onPremises: count((u) => u.skypeHosting === 'ON_PREMISES'),
      online: count((u) => u.skypeHosting === 'ONLINE'),
      islands: count((u) => u.teamsUpgradeMode === 'ISLANDS'),
      collab: count((u) => u.teamsUpgradeMode === 'SFB_WITH_TEAMS_COLLAB'),
      collabAndMeetings: count((u) => u.teamsUpgradeMode === 'SFB_WITH_TEAMS_COLLAB_AND_MEETINGS'),
      teamsOnly: count((u) => u.teamsUpgradeMode === 'TEAMS_ONLY'),
      exchangeOnPremises: count((u) => u.mailboxLocation === 'EXCHANGE_ON_PREMISES'),
      thirdParty: count(
        (u) => u.provider === 'THIRD_PARTY' && !!u.thirdPartyProviderName && !!u.thirdPartyDialInText,
      ),
      unlicensed: count((u) => u.provider === 'NONE' && !u.licensed && !u.dialInEnabled),
      dialIn: count((u) => u.provider === 'MICROSOFT' && u.licensed && u.dialInEnabled),
      licensedWithoutDialIn: count((u) => u.provider === 'MICROSOFT' && u.licensed && !u.dialInEnabled),
    };
    for (const [category, n] of Object.entries(categories))
      expect({ category, n }).not.toMatchObject({ n: 0 });

    for (const user of all.filter((u) => u.provider === 'MICROSOFT')) {
      expect(user.conferenceId).toMatch(/^\d{7}$/);
      const toll = numbers.get(user.defaultTollNumberId ?? -1);
      const tollFree = numbers.get(user.defaultTollFreeNumberId ?? -1);
      expect(toll).toMatchObject({ bridgeId: user.bridgeId, tollFree: false });
      expect(tollFree).toMatchObject({ bridgeId: user.bridgeId, tollFree: true });
    }
    for (const user of all.filter((u) => u.provider !== 'MICROSOFT')) {
      expect([user.conferenceId, user.bridgeId, user.defaultTollNumberId]).toEqual([null, null, null]);
    }
  });

  test('user principal names are ASCII, well formed and unique; display names are in many scripts', () => {
    const upns = users.map((u) => u.user_principal_name);
    expect(new Set(upns).size).toBe(users.length);
    for (const upn of upns) {
      expect(upn).toMatch(/^[a-z]+\.[a-z]+\.\d+@contoso\.com$/);
      expect(validate.userPrincipalName('upn', upn)).toBe(upn);
    }
    const scripts = {
      latinWithDiacritics: /[À-ž]/,
      cyrillic: /\p{Script=Cyrillic}/u,
      greek: /\p{Script=Greek}/u,
      arabic: /\p{Script=Arabic}/u,
      hebrew: /\p{Script=Hebrew}/u,
      cjk: /\p{Script=Han}|\p{Script=Hangul}|\p{Script=Hiragana}/u,
      devanagari: /\p{Script=Devanagari}/u,
      thai: /\p{Script=Thai}/u,
    };
    for (const [script, pattern] of Object.entries(scripts)) {
      expect({ script, found: users.some((u) => pattern.test(u.display_name)) }).toEqual({
        script,
        found: true,
      });
    }
  });

  test('meetings of every kind are present', () => {
    const now = NOW.toISOString();
    const crlf = (m: MeetingRow) => m.body.includes('\r\n');
    const rtl = (m: MeetingRow) => /[\u0590-\u08ff]/.test(m.body);
    const zwjEmoji = (m: MeetingRow) =>
      /\p{Extended_Pictographic}\u200d\p{Extended_Pictographic}/u.test(m.body);
    const skinTone = (m: MeetingRow) => /[\u{1f3fb}-\u{1f3ff}]/u.test(m.body);
    // Decomposed text: base letters followed by combining marks, which NFC would compose.
    const combiningMarks = (m: MeetingRow) => m.body.normalize('NFC') !== m.body;
    const kinds = {
      past: meetings.filter((m) => m.last_occurrence_ends_at !== null && m.last_occurrence_ends_at <= now),
      future: meetings.filter((m) => m.starts_at > now),
      recurringWithCount: meetings.filter((m) => m.recurrence?.includes('COUNT=')),
      recurringWithUntil: meetings.filter((m) => m.recurrence?.includes('UNTIL=')),
      recurringEndless: meetings.filter((m) => m.recurrence !== null && m.last_occurrence_ends_at === null),
      pastedWithoutProperties: meetings.filter(
        (m) =>
          m.online_meeting_type === null && m.online_meeting_join_url === null && findBlock(m.body) !== null,
      ),
      withoutBlock: meetings.filter((m) => m.online_meeting_type === null && findBlock(m.body) === null),
      overParticipantLimit: meetings.filter((m) => m.attendee_count > 250 && m.attendee_count <= 300),
      crlfBody: meetings.filter(crlf),
      crlfAddInBody: meetings.filter((m) => crlf(m) && findBlock(m.body)?.lineEnding === '\r\n'),
      rtlAndEmojiBody: meetings.filter((m) => rtl(m) && zwjEmoji(m) && skinTone(m)),
      combiningMarks: meetings.filter(combiningMarks),
      skypeForBusiness: meetings.filter((m) => m.online_meeting_type === 'SKYPE_FOR_BUSINESS'),
      teams: meetings.filter((m) => m.online_meeting_type === 'TEAMS'),
      sharedNotes: meetings.filter((m) => m.shared_notes_url !== null),
    };
    for (const [kind, list] of Object.entries(kinds)) {
      expect({ kind, n: list.length }).not.toMatchObject({ n: 0 });
    }
    const contentKinds = sqlite
      .prepare('SELECT DISTINCT kind FROM meeting_content_items ORDER BY kind')
      .pluck()
      .all();
    expect(contentKinds).toEqual(['ATTACHMENT', 'POLL', 'WHITEBOARD']);
    // Most meetings come from the add-in; only a few percent are over the limit.
    expect(kinds.skypeForBusiness.length + kinds.teams.length).toBeGreaterThan(meetings.length * 0.8);
    expect(kinds.overParticipantLimit.length).toBeLessThan(meetings.length * 0.06);
  });

  test('every add-in meeting holds its own block as scheduleMeeting renders it, or shows an organizer’s edit', () => {
    const tenant = tenantFromRow(sqlite.prepare('SELECT * FROM tenants').get() as TenantRow);
    const usersById = new Map(users.map((row) => [row.id, userFromRow(row)]));
    const numberRows = sqlite.prepare('SELECT * FROM bridge_numbers ORDER BY id').all() as BridgeNumberRow[];
    const numbers = numberRows.map(bridgeNumberFromRow);
    const addIn = meetings.filter((m) => m.online_meeting_type !== null);
    expect(addIn.length).toBeGreaterThan(0);
    const seen = new Map<string, number>();
    for (const meeting of addIn) {
      const key = {
        joinUrl: meeting.online_meeting_join_url ?? '',
        conferenceId: meeting.online_meeting_conference_id,
      };
      const survey = surveyBody(meeting.body, key);
      const situation = `${survey.situation}, ${survey.blocks.length - survey.own.length} other`;
      seen.set(situation, (seen.get(situation) ?? 0) + 1);

      const organizer = usersById.get(meeting.organizer_id);
      if (!organizer) throw new Error(`meeting ${meeting.id} has no organizer`);
      const type = schedulingMeetingType(organizer);
      const coordinates = meetingCoordinates({
        tenant,
        user: organizer,
        numbers: numbers.filter(
          (n) => n.id === organizer.defaultTollNumberId || n.id === organizer.defaultTollFreeNumberId,
        ),
        type,
        meetingUid: meeting.uid,
      });
      expect(meeting.online_meeting_type).toBe(type);
      expect(meeting.online_meeting_join_url).toBe(coordinates.joinUrl);
      expect(meeting.online_meeting_conference_id).toBe(coordinates.dialIn?.conferenceId ?? null);
      for (const own of survey.own) expect(own.text).toBe(renderBlock(coordinates, own.lineEnding));
      // appendBlock puts the block last, in the line ending of the organizer's text.
      if (survey.situation === 'FOUND' && survey.blocks.length === 1) {
        expect(survey.own[0]?.end).toBe(meeting.body.length);
      }
    }
    // As scheduled, and each edit an organizer makes: another meeting's block pasted, a forwarded copy, deleted.
    expect([...seen.keys()].sort()).toEqual([
      'FOUND, 0 other',
      'FOUND, 1 other',
      'MISSING, 0 other',
      'REPEATED, 0 other',
    ]);
  });

  test('meeting rows are valid as scheduleMeeting would store them', () => {
    const uids = new Set<string>();
    for (const m of meetings) {
      expect(m.uid).toMatch(/^[0-9a-f]{32}@contoso\.com$/);
      uids.add(m.uid);
      expect(m.sequence).toBeGreaterThanOrEqual(0);
      expect(m.sequence).toBeLessThanOrEqual(3);
      expect(validate.requiredName('subject', m.subject)).toBe(m.subject);
      expect(validate.timeZone('timeZone', m.time_zone)).toBe(m.time_zone);
      expect(m.ends_at > m.starts_at).toBe(true);
      if (m.recurrence !== null) expect(recurrenceRule('recurrence', m.recurrence)).toBe(m.recurrence);
      const last = lastOccurrenceEnd(new Date(m.starts_at), new Date(m.ends_at), m.time_zone, m.recurrence);
      expect(m.last_occurrence_ends_at).toBe(last ? last.toISOString() : null);
      if (m.recurrence === null) expect(m.last_occurrence_ends_at).toBe(m.ends_at);
      if (m.shared_notes_url !== null)
        expect(validate.httpsUrl('sharedNotesUrl', m.shared_notes_url)).toBe(m.shared_notes_url);
    }
    expect(uids.size).toBe(meetings.length);
    const items = sqlite.prepare('SELECT * FROM meeting_content_items').all() as {
      title: string;
      url: string;
    }[];
    for (const item of items) {
      expect(validate.requiredName('title', item.title)).toBe(item.title);
      expect(validate.httpsUrl('url', item.url)).toBe(item.url);
    }
  });

  test('attendees: valid e-mail addresses, some external, none twice in a meeting, counted on the meeting', () => {
    const attendees = sqlite
      .prepare(
        'SELECT meeting_id, position, email, name FROM meeting_attendees ORDER BY meeting_id, position',
      )
      .all() as { meeting_id: number; position: number; email: string; name: string | null }[];
    const byMeeting = new Map<number, string[]>();
    for (const a of attendees) {
      expect(validate.emailAddress('email', a.email)).toBe(a.email);
      if (a.name !== null) expect(validate.requiredName('name', a.name)).toBe(a.name);
      byMeeting.set(a.meeting_id, [...(byMeeting.get(a.meeting_id) ?? []), a.email.toLowerCase()]);
    }
    const organizerEmail = new Map(users.map((u) => [u.id, u.user_principal_name]));
    for (const m of meetings) {
      const emails = byMeeting.get(m.id) ?? [];
      expect(emails).toHaveLength(m.attendee_count);
      expect(new Set(emails).size).toBe(emails.length);
      expect(emails).not.toContain(organizerEmail.get(m.organizer_id));
      if (m.attendee_count <= 250) {
        expect(m.attendee_count).toBeGreaterThanOrEqual(2);
        expect(m.attendee_count).toBeLessThanOrEqual(12);
      }
    }
    expect(attendees.some((a) => !a.email.endsWith('@contoso.com'))).toBe(true);
    expect(attendees.some((a) => a.email.endsWith('@contoso.com'))).toBe(true);
  });

  test('refuses to seed a database that already holds the demo tenant, and changes nothing', async () => {
    const before = digestOf(sqlite);
    await expect(seedDemo(opened, { ...SIZE, seed: SEED, now: NOW })).rejects.toThrow(
      /contoso\.com already exists/,
    );
    expect(digestOf(sqlite)).toBe(before);
  });
});

describe('npm run seed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mms-seed-'));
  const database = join(dir, 'demo.sqlite');
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['server/cli/seed.ts', ...args], {
      env: { ...process.env, MMS_DB: database },
      encoding: 'utf8',
    });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('bad flags exit with code 2 and say what is wrong', () => {
    const unknown = cli('--bogus');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/--bogus/);
    expect(unknown.stderr).toMatch(/usage: npm run seed/);
    const negative = cli('--users', '-3');
    expect(negative.status).toBe(2);
    const notANumber = cli('--meetings-per-user', 'ten');
    expect(notANumber.status).toBe(2);
    expect(notANumber.stderr).toMatch(/--meetings-per-user must be a whole number/);
  });

  test('seeds, refuses a second time, and seeds again with --reset', () => {
    const first = cli('--users', '12', '--meetings-per-user', '3', '--seed', '5');
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/12 users, 36 meetings/);

    const again = cli('--users', '12', '--meetings-per-user', '3');
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already holds the demo tenant contoso\.com/);

    const reset = cli('--users', '4', '--meetings-per-user', '2', '--reset');
    expect(reset.status).toBe(0);
    expect(reset.stdout).toMatch(/4 users, 8 meetings/);
  });
});
