/**
 * The tenant's three switches that decide whether meetings migrate by themselves. 1/2/3 toggle one after a
 * y/n question; a change made anywhere else shows at once (tenantSettingsUpdated).
 */
import { Box, Text } from 'ink';
import { useState } from 'react';
import { useSubscription } from 'urql';
import { COMMAND_ERROR, type Outcome, useCommand } from '../commands.ts';
import { graphql, type ResultOf, type VariablesOf } from '../graphql.ts';
import { useKeys } from '../keyboard.ts';
import { OutcomeLine, useQuestion } from './Question.tsx';

const TENANT_SWITCHES = graphql(`
  fragment TenantSwitches on Tenant {
    name
    migrationConfiguration { meetingMigrationEnabled }
    dialInConferencingSettings { automaticallyMigrateUserMeetings automaticallyReplaceAcpProvider }
  }
`);
export const SETTINGS_SUBSCRIPTION = graphql(
  `subscription TenantSettings { tenantSettingsUpdated { ...TenantSwitches } }`,
  [TENANT_SWITCHES],
);

type TenantSettings = ResultOf<typeof TENANT_SWITCHES>;

const SET_MIGRATION_CONFIGURATION = graphql(
  `mutation SetTenantMigrationConfiguration($input: SetTenantMigrationConfigurationInput!) {
    setTenantMigrationConfiguration(input: $input) {
      __typename ...CommandError
      ... on SetTenantMigrationConfigurationPayload { tenant { id } }
    }
  }`,
  [COMMAND_ERROR],
);
const SET_DIAL_IN_SETTINGS = graphql(
  `mutation SetDialInConferencingTenantSettings($input: SetDialInConferencingTenantSettingsInput!) {
    setDialInConferencingTenantSettings(input: $input) {
      __typename ...CommandError
      ... on SetDialInConferencingTenantSettingsPayload { tenant { id } }
    }
  }`,
  [COMMAND_ERROR],
);

type Setting = {
  key: string;
  name: string;
  explanation: string;
  value: (settings: TenantSettings) => boolean;
} & (
  | {
      command: 'migrationConfiguration';
      /** The command's input that turns it on or off. */
      input: (on: boolean) => VariablesOf<typeof SET_MIGRATION_CONFIGURATION>['input'];
    }
  | {
      command: 'dialInSettings';
      input: (on: boolean) => VariablesOf<typeof SET_DIAL_IN_SETTINGS>['input'];
    }
);

export const SETTINGS: Setting[] = [
  {
    key: '1',
    name: 'meetingMigrationEnabled',
    explanation: 'off: no meeting is ever migrated automatically; manual starts still run',
    value: (s) => s.migrationConfiguration.meetingMigrationEnabled,
    command: 'migrationConfiguration',
    input: (on) => ({ meetingMigrationEnabled: on }),
  },
  {
    key: '2',
    name: 'automaticallyMigrateUserMeetings',
    explanation: 'off: audio conferencing changes start no migration; moves, upgrades still do',
    value: (s) => s.dialInConferencingSettings.automaticallyMigrateUserMeetings,
    command: 'dialInSettings',
    input: (on) => ({ automaticallyMigrateUserMeetings: on }),
  },
  {
    key: '3',
    name: 'automaticallyReplaceAcpProvider',
    explanation: 'on: licensing a third-party-provider user switches them to Microsoft',
    value: (s) => s.dialInConferencingSettings.automaticallyReplaceAcpProvider,
    command: 'dialInSettings',
    input: (on) => ({ automaticallyReplaceAcpProvider: on }),
  },
];

const SETTINGS_HELP = [{ keys: '1 2 3', what: 'toggle a switch (asks y/n first)' }];

export function Settings() {
  const [{ data, error }] = useSubscription({ query: SETTINGS_SUBSCRIPTION });
  const question = useQuestion();
  const setMigrationConfiguration = useCommand(
    SET_MIGRATION_CONFIGURATION,
    (data) => data.setTenantMigrationConfiguration,
  );
  const setDialInSettings = useCommand(
    SET_DIAL_IN_SETTINGS,
    (data) => data.setDialInConferencingTenantSettings,
  );
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const settings = data?.tenantSettingsUpdated;
  useKeys(
    ({ input }) => {
      const setting = SETTINGS.find((s) => s.key === input);
      if (!setting || !settings) return false;
      // The value asked about is fixed when asked: a change made elsewhere meanwhile does not flip it.
      const value = !setting.value(settings);
      question.ask(`Turn ${setting.name} ${value ? 'on' : 'off'}?`, () => {
        const describe = () => `${setting.name} is now ${value ? 'on' : 'off'}`;
        const said =
          setting.command === 'migrationConfiguration'
            ? setMigrationConfiguration({ input: setting.input(value) }, describe)
            : setDialInSettings({ input: setting.input(value) }, describe);
        void said.then(setOutcome);
      });
      return true;
    },
    // Not held for the settings: they come by subscription, which may wait for a reconnection.
    { help: SETTINGS_HELP },
  );

  if (error) return <Text color="red">{error.message}</Text>;
  if (!settings) return <Text dimColor>loading…</Text>;
  return (
    <Box flexDirection="column">
      <Text bold>Settings</Text>
      {SETTINGS.map((setting) => {
        const on = setting.value(settings);
        return (
          <Box key={setting.key} flexDirection="column" marginTop={1}>
            <Text>
              {setting.key} <Text color={on ? 'green' : 'yellow'}>{on ? '[on] ' : '[off]'}</Text>{' '}
              {setting.name}
            </Text>
            <Text dimColor wrap="truncate-end">
              {'    '}
              {setting.explanation}
            </Text>
          </Box>
        );
      })}
      <Box marginTop={1}>{question.line ?? <OutcomeLine outcome={outcome} />}</Box>
    </Box>
  );
}
