/** The settings screen against a real server: a toggle made here is what a query sees; one made elsewhere shows here. */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Settings } from '../../tui/components/Settings.tsx';
import { createTenantWithOperator, mutate } from '../support/fixtures.ts';
import { renderAgainst } from '../support/ink.tsx';
import { startServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startServer();
  ({ token } = await createTenantWithOperator(server, 'contoso.com', 'Contoso'));
});
afterAll(() => server.stop());

const SETTINGS = `{ tenant {
  migrationConfiguration { meetingMigrationEnabled }
  dialInConferencingSettings { automaticallyMigrateUserMeetings automaticallyReplaceAcpProvider }
} }`;
const settings = async () => (await server.gql(token, SETTINGS)).tenant;

test('each switch with its explanation; a toggle needs y; changes from elsewhere appear at once', async () => {
  const screen = renderAgainst(server, token, <Settings />);
  try {
    const first = await screen.frameShowing(/3 \[off\] automaticallyReplaceAcpProvider/);
    expect(first).toMatch(
      /1 \[on\]\s+meetingMigrationEnabled\n\s+off: no meeting is ever migrated automatically/,
    );
    expect(first).toMatch(
      /2 \[on\]\s+automaticallyMigrateUserMeetings\n\s+off: audio conferencing changes start no migration/,
    );
    expect(first).toMatch(
      /automaticallyReplaceAcpProvider\n\s+on: licensing a third-party-provider user switches them/,
    );

    await screen.press('1');
    await screen.frameShowing(/\? Turn meetingMigrationEnabled off\? y yes · n no/);
    await screen.press('n');
    await screen.frameShowing((f) => !f.includes('Turn meetingMigrationEnabled'), 'the question gone');
    expect((await settings()).migrationConfiguration.meetingMigrationEnabled).toBe(true);

    await screen.press('1', 'y');
    await screen.frameShowing(/1 \[off\] meetingMigrationEnabled[\s\S]*✓ meetingMigrationEnabled is now off/);
    expect((await settings()).migrationConfiguration.meetingMigrationEnabled).toBe(false);

    await screen.press('2', 'y');
    await screen.frameShowing(
      /2 \[off\] automaticallyMigrateUserMeetings[\s\S]*✓ automaticallyMigrateUserMeetings is now off/,
    );
    expect((await settings()).dialInConferencingSettings).toEqual({
      automaticallyMigrateUserMeetings: false,
      automaticallyReplaceAcpProvider: false,
    });

    // A y typed in the same instant as the key that asks still answers the question.
    screen.pressAtOnce('2', 'y');
    await screen.frameShowing(
      /2 \[on\]\s+automaticallyMigrateUserMeetings[\s\S]*✓ automaticallyMigrateUserMeetings is now on/,
    );
    expect((await settings()).dialInConferencingSettings.automaticallyMigrateUserMeetings).toBe(true);

    // Another operator (or GraphiQL) turns a switch: no key pressed here.
    await mutate(
      server,
      token,
      'setDialInConferencingTenantSettings',
      { automaticallyReplaceAcpProvider: true },
      'tenant { id }',
    );
    await screen.frameShowing(/3 \[on\]\s+automaticallyReplaceAcpProvider/);
    await mutate(
      server,
      token,
      'setTenantMigrationConfiguration',
      { meetingMigrationEnabled: true },
      'tenant { id }',
    );
    await screen.frameShowing(/1 \[on\]\s+meetingMigrationEnabled/);
  } finally {
    await screen.close();
  }
});
