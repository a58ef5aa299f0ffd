/**
 * Whose block it is (SPEC §2), through the API: organizers' edits recorded with updateMeetingBody, the
 * preview telling each case, and a migration rewriting only the own block, byte for byte.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { renderBlock } from '../../server/domain/meeting-block.ts';
import { type AdversarialCase, adversarialCases, EOLS, fillCases, otherTeams } from '../support/blocks.ts';
import { createTenantWithOperator, createUser, meetingInput, mutate } from '../support/fixtures.ts';
import { subscribeOverWebSocket } from '../support/live.ts';
import { startServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let token: string;
let organizer: string;
let migrationId: string;

const MEETING = `query($id: ID!) { node(id: $id) { ... on Meeting {
  body sequence onlineMeeting { type joinUrl } onlineMeetingBlock { type joinUrl text }
} } }`;
const PREVIEW = `query($u: ID!) { meetingMigrationPreview(userId: $u, targetMeetingType: TEAMS) {
  meetings(first: 100) { edges { node { meeting { id } outcome newBlock
    blocks { situation ownBlocks otherBlocks unclosedOpenings } } } }
} }`;
const RESULTS = `query($id: ID!) { node(id: $id) { ... on MeetingMigration {
  state meetingResults(first: 100) { edges { node { outcome reason meeting { id } } } }
} } }`;

interface Case extends Pick<AdversarialCase, 'otherBlocks' | 'unclosedOpenings'> {
  name: string;
  /** The organizer's edit around the meeting's own block, and the body the migration must leave. */
  build: (ownBlock: string, joinUrl: string) => { body: string; expected: (newBlock: string) => string };
  situation: 'FOUND' | 'REPEATED' | 'MISSING';
}

const otherBlock = renderBlock(otherTeams, '\r\n');
const CASES: Case[] = [
  ...EOLS.flatMap((eol) =>
    adversarialCases('JOIN_URL', eol).map(({ name, parts, otherBlocks, unclosedOpenings }) => ({
      name: `${name} ${JSON.stringify(eol)}`,
      build: (ownBlock: string, joinUrl: string) => {
        // The scheduled block ends in LF: give it the case's line ending.
        const old = ownBlock.replaceAll('\n', eol);
        const withUrl = parts.map((p) => p.replaceAll('JOIN_URL', joinUrl));
        return {
          body: fillCases(withUrl, old, '', eol).body,
          expected: (newBlock: string) => fillCases(withUrl, old, newBlock, eol).expected,
        };
      },
      situation: 'FOUND' as const,
      otherBlocks,
      unclosedOpenings,
    })),
  ),
  {
    name: 'the own block twice (a forwarded invitation pasted in)',
    build: (ownBlock) => ({
      body: `Hi\n${ownBlock}\n---- Forwarded ----\n${ownBlock}end`,
      expected: (b) => `Hi\n${b}\n---- Forwarded ----\n${b}end`,
    }),
    situation: 'REPEATED',
    otherBlocks: 0,
    unclosedOpenings: 0,
  },
  {
    name: 'the own block deleted by the organizer',
    build: () => ({
      body: `Agenda 📅\r\nold link:\r\n${otherBlock}`,
      expected: (b) => `Agenda 📅\r\nold link:\r\n${otherBlock}\r\n${b}`,
    }),
    situation: 'MISSING',
    otherBlocks: 1,
    unclosedOpenings: 0,
  },
];
const meetingIds = new Map<string, string>();
const expectedBodies = new Map<string, (newBlock: string) => string>();
const preview = new Map<string, { newBlock: string; blocks: Record<string, unknown>; outcome: string }>();
const results = new Map<string, { outcome: string; reason: string }>();

async function meeting(id: string) {
  return (await server.gql(token, MEETING, { id })).node;
}

async function updateBody(meetingId: string, body: string) {
  const updated = await mutate(
    server,
    token,
    'updateMeetingBody',
    { meetingId, body },
    'meeting { body sequence }',
  );
  expect(updated.meeting).toEqual({ body, sequence: 1 });
}

beforeAll(async () => {
  server = await startServer({ engine: true, holdSeconds: 0 });
  ({ token } = await createTenantWithOperator(server, 'contoso.com', 'Contoso'));
  organizer = await createUser(server, token, {
    userPrincipalName: 'alice@contoso.com',
    displayName: 'Alice',
  });
  for (const c of CASES) {
    const scheduled = await mutate(
      server,
      token,
      'scheduleMeeting',
      meetingInput(organizer, { subject: c.name }),
      'meeting { id onlineMeeting { joinUrl } onlineMeetingBlock { text } }',
    );
    const { meeting: m } = scheduled;
    const built = c.build(m.onlineMeetingBlock.text, m.onlineMeeting.joinUrl);
    await updateBody(m.id, built.body);
    meetingIds.set(c.name, m.id);
    expectedBodies.set(c.name, built.expected);
  }

  const previewed = await server.gql(token, PREVIEW, { u: organizer });
  for (const { node } of previewed.meetingMigrationPreview.meetings.edges) preview.set(node.meeting.id, node);

  // `since` replays the run's end even when it comes before the subscription is registered.
  const live = subscribeOverWebSocket<{ meetingMigrationUpdated: { state: string } }>(
    server.url,
    token,
    'subscription($u: ID!, $since: DateTime) { meetingMigrationUpdated(userId: $u, since: $since) { state } }',
    { u: organizer, since: new Date().toISOString() },
  );
  const started = await mutate(
    server,
    token,
    'startMeetingMigration',
    { userId: organizer, targetMeetingType: 'TEAMS' },
    'meetingMigration { id }',
  );
  await live.until((e) => ['SUCCEEDED', 'FAILED'].includes(e.meetingMigrationUpdated.state));
  await live.close();
  migrationId = started.meetingMigration.id;
  const run = await server.gql(token, RESULTS, { id: migrationId });
  expect(run.node.state).toBe('SUCCEEDED');
  for (const { node } of run.node.meetingResults.edges) results.set(node.meeting.id, node);
});
afterAll(() => server.stop());

describe('a migration rewrites only the own block', () => {
  test('every case was previewed and run', () => {
    expect(preview.size).toBe(CASES.length);
    expect(results.size).toBe(CASES.length);
  });

  test.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const meetingId = meetingIds.get(c.name) ?? '';
    const previewed = preview.get(meetingId);
    expect(previewed?.outcome).toBe('UPDATED');
    expect(previewed?.blocks).toEqual({
      situation: c.situation,
      ownBlocks: c.situation === 'REPEATED' ? 2 : c.situation === 'FOUND' ? 1 : 0,
      otherBlocks: c.otherBlocks,
      unclosedOpenings: c.unclosedOpenings,
    });
    const after = await meeting(meetingId);
    const newBlock = previewed?.newBlock ?? '';
    const expectedBody = expectedBodies.get(c.name)?.(newBlock);
    expect(Buffer.from(after.body, 'utf8').equals(Buffer.from(expectedBody ?? '', 'utf8'))).toBe(true);
    expect(after.sequence).toBe(2);
    expect(after.onlineMeeting.type).toBe('TEAMS');
    expect(after.onlineMeetingBlock).toMatchObject({ type: 'TEAMS', joinUrl: after.onlineMeeting.joinUrl });
    expect(newBlock).toContain(after.onlineMeeting.joinUrl);

    const result = results.get(meetingId);
    expect(result?.outcome).toBe('UPDATED');
    if (c.situation === 'MISSING')
      expect(result?.reason).toMatch(/deleted the online meeting block.*appended/);
    if (c.situation === 'REPEATED') expect(result?.reason).toContain('all 2 copies');
    if (c.otherBlocks > 0)
      expect(result?.reason).toMatch(/blocks? of (another meeting|other meetings) left as/);
  });
});

describe('updateMeetingBody', () => {
  test('supersedes the meeting’s updates not yet delivered, and their run counts them no more', async () => {
    const id = meetingIds.get(CASES[0]?.name ?? '') ?? '';
    const COUNTS = `query($m: ID!, $id: ID!) {
      m: node(id: $m) { ... on MeetingMigration { invitesUpdated invitationsPending invitationsFailed } }
      meeting: node(id: $id) { ... on Meeting { invitationUpdates(first: 10) { edges { node { state } } } } }
    }`;
    const before = await server.gql(token, COUNTS, { m: migrationId, id });
    // No SMTP server here: every update of the run waits in the outbox.
    expect(before.m.invitationsPending).toBe(before.m.invitesUpdated);
    const states = (data: any) => data.meeting.invitationUpdates.edges.map((e: any) => e.node.state);
    expect(states(before)).toEqual(['QUEUED', 'QUEUED']);

    await mutate(
      server,
      token,
      'updateMeetingBody',
      { meetingId: id, body: 'moved to a room' },
      'meeting { id }',
    );
    const after = await server.gql(token, COUNTS, { m: migrationId, id });
    expect(states(after)).toEqual(['SUPERSEDED', 'SUPERSEDED']);
    expect(after.m).toEqual({ ...before.m, invitationsPending: before.m.invitationsPending - 2 });
  });

  test('refuses an unknown meeting and a body over the limit, changing nothing', async () => {
    const id = [...meetingIds.values()][1] ?? '';
    const before = await meeting(id);
    const unknown = await server.request(
      token,
      `mutation($i: UpdateMeetingBodyInput!) { updateMeetingBody(input: $i) { __typename ... on Error { message } } }`,
      { i: { meetingId: 'TWVldGluZzo5OTk5OTk=', body: 'x' } },
    );
    expect(unknown.data?.updateMeetingBody.__typename).toBe('NotFoundError');
    const huge = await server.request(
      token,
      `mutation($i: UpdateMeetingBodyInput!) { updateMeetingBody(input: $i) { __typename ... on InvalidValueError { field } } }`,
      { i: { meetingId: id, body: 'x'.repeat(200_001) } },
    );
    expect(huge.data?.updateMeetingBody).toEqual({ __typename: 'InvalidValueError', field: 'body' });
    expect(await meeting(id)).toEqual(before);
  });

  test('a meeting of another tenant reads as unknown', async () => {
    const { token: otherToken } = await createTenantWithOperator(server, 'fabrikam.com', 'Fabrikam');
    const attempt = await server.request(
      otherToken,
      `mutation($i: UpdateMeetingBodyInput!) { updateMeetingBody(input: $i) { __typename } }`,
      { i: { meetingId: [...meetingIds.values()][0], body: 'hijacked' } },
    );
    expect(attempt.data?.updateMeetingBody.__typename).toBe('NotFoundError');
    expect((await meeting([...meetingIds.values()][0] ?? '')).body).not.toBe('hijacked');
  });
});
