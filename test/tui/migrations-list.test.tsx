/** The migrations list against a real server: state keys and the user search narrow it; pages move on. */
import { render } from 'ink-testing-library';
import { sql } from 'kysely';
import { Provider } from 'urql';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { mmsClient } from '../../tui/client.ts';
import { MigrationsList } from '../../tui/components/MigrationsList.tsx';
import { liveClient } from '../../tui/connection.ts';
import { createTenantWithOperator, createUser, startMeetingMigration } from '../support/fixtures.ts';
import { startServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startServer();
  ({ token } = await createTenantWithOperator(server, 'contoso.com', 'Contoso'));
  // Two migrations each; the engine is off, so each first one is settled by hand before the second
  // (which would otherwise merge into it): alice and carol SUCCEEDED then PENDING, bob FAILED twice.
  for (const name of ['alice', 'bob', 'carol']) {
    const id = await createUser(server, token, { userPrincipalName: `${name}@contoso.com` });
    for (let i = 0; i < 2; i++) {
      const { migrationId } = await startMeetingMigration(server, token, id);
      const settled = name === 'bob' ? 'FAILED' : i === 0 ? 'SUCCEEDED' : null;
      if (settled) {
        const row = Number(Buffer.from(migrationId, 'base64').toString().split(':')[1]);
        await sql`update meeting_migrations set state = ${settled} where id = ${row}`.execute(
          server.app.database.db,
        );
      }
    }
  }
});
afterAll(() => server.stop());

async function frameMatching(frame: () => string | undefined, ok: (frame: string) => boolean, what: string) {
  for (let i = 0; i < 200; i++) {
    if (ok(frame() ?? '')) return frame() ?? '';
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`the screen never showed ${what}:\n${frame()}`);
}
const userOf = (row: string) => row.match(/\S+@contoso\.com/)?.[0];
/** The list's rows, without the selection marker. */
const rows = (frame: string) =>
  frame
    .split('\n')
    .filter((line) => /@contoso\.com/.test(line))
    .map((line) => line.replace(/^[› ] /, ''));

test('state keys and the user search narrow the list; n and b page through it', async () => {
  const live = liveClient({ url: server.url, token });
  const view = render(
    <Provider value={mmsClient({ url: server.url, token }, live)}>
      <MigrationsList pageSize={4} />
    </Provider>,
  );
  try {
    const first = await frameMatching(view.lastFrame, (f) => rows(f).length === 4, 'a first page of 4');
    expect(rows(first).map((r) => userOf(r))).toEqual([
      'carol@contoso.com',
      'carol@contoso.com',
      'bob@contoso.com',
      'bob@contoso.com',
    ]);
    view.stdin.write('n');
    const second = await frameMatching(
      view.lastFrame,
      (f) => rows(f).every((r) => userOf(r) === 'alice@contoso.com') && rows(f).length === 2,
      'the second page',
    );
    expect(rows(second)).toHaveLength(2);
    view.stdin.write('b');
    await frameMatching(
      view.lastFrame,
      (f) => rows(f).length === 4 && userOf(rows(f)[0] ?? '') === 'carol@contoso.com',
      'the first page again',
    );

    view.stdin.write('f');
    const failed = await frameMatching(
      view.lastFrame,
      (f) => f.includes('· FAILED') && rows(f).length === 2,
      'only failed ones',
    );
    expect(rows(failed).every((r) => r.startsWith('FAILED') && userOf(r) === 'bob@contoso.com')).toBe(true);

    view.stdin.write('a');
    await frameMatching(
      view.lastFrame,
      (f) => f.includes('· all states') && rows(f).length === 4,
      'all again',
    );
    view.stdin.write('/');
    await frameMatching(view.lastFrame, (f) => f.includes("part of a user's name"), 'the search field');
    for (const character of 'ALI') {
      view.stdin.write(character);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await frameMatching(view.lastFrame, (f) => f.includes('/ ALI'), 'the typed search');
    view.stdin.write('\r');
    const alice = await frameMatching(
      view.lastFrame,
      (f) => f.includes('user "ALI"') && rows(f).length === 2,
      'alice only',
    );
    expect(rows(alice).every((r) => userOf(r) === 'alice@contoso.com')).toBe(true);
  } finally {
    view.unmount();
    await live.dispose();
  }
});
