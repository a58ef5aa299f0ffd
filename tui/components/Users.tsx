/**
 * The tenant's users by user principal name, all of them however many, read page by page from the server
 * as the selection moves: `/` searches by UPN or name, the table's keys move, and sort on the server. The selected user's coordinates and latest migration show below; Enter shows
 * the user's migrations, l opens the latest one, n previews and starts a new one.
 */
import { Box, Text } from 'ink';
import { useState } from 'react';
import { useNow } from '../clock.ts';
import type { Outcome } from '../commands.ts';
import { age, ago, dateTime, meetingsDone, STATE_COLORS } from '../format.ts';
import { graphql, type ResultOf, type VariablesOf } from '../graphql.ts';
import { useKeys } from '../keyboard.ts';
import { usePolledQuery } from '../polled-query.ts';
import { truncate } from '../width.ts';
import { ListStatus, useListSearch } from './ListSearch.tsx';
import { OutcomeLine } from './Question.tsx';
import { StartMigration } from './StartMigration.tsx';
import { type Column, column, TABLE_HELP, useServerTable } from './Table.tsx';

const USER_ROW = graphql(`
  fragment UserRow on User {
    id userPrincipalName displayName sipAddress skypeHosting teamsUpgradeMode mailboxLocation
    audioConferencing {
      provider licensed dialInEnabled conferenceId thirdPartyProviderName
      bridge { name } defaultTollNumber { number } defaultTollFreeNumber { number }
    }
    latestMeetingMigration {
      id state createdAt totalMeetings succeededMeetings failedMeetings skippedMeetings lastMessage
    }
  }
`);
export const USERS_PAGE = graphql(
  `query UsersPage($search: String, $orderBy: UserOrder, $first: Int, $last: Int, $after: String,
      $before: String) {
    tenant { users(search: $search, orderBy: $orderBy, first: $first, last: $last, after: $after, before: $before) {
      totalCount
      edges { cursor node { ...UserRow } }
      pageInfo { hasNextPage hasPreviousPage }
    } }
  }`,
  [USER_ROW],
);

type UserRow = ResultOf<typeof USER_ROW>;
type Order = NonNullable<VariablesOf<typeof USERS_PAGE>['orderBy']>['field'];

/** Lines the selected user's card takes below the list. */
export const USER_CARD_LINES = 6;

function UserCard({ user, width }: { user: UserRow; width: number }) {
  const audio = user.audioConferencing;
  const latest = user.latestMeetingMigration;
  const line = (text: string) => truncate(text, width);
  const provider = `${audio.provider}${audio.thirdPartyProviderName ? ` (${audio.thirdPartyProviderName})` : ''}`;
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold wrap="truncate-end">
        {line(`${user.displayName}  ${user.sipAddress}`)}
      </Text>
      <Text wrap="truncate-end">
        {line(
          `hosting ${user.skypeHosting} · upgrade ${user.teamsUpgradeMode} · mailbox ${user.mailboxLocation}`,
        )}
      </Text>
      <Text wrap="truncate-end">
        {line(
          `audio ${provider} · ${audio.licensed ? 'licensed' : 'unlicensed'} · dial-in ${audio.dialInEnabled ? 'on' : 'off'} · conference ID ${audio.conferenceId ?? '—'}`,
        )}
      </Text>
      <Text wrap="truncate-end">
        {line(
          `bridge ${audio.bridge?.name ?? '—'} · toll ${audio.defaultTollNumber?.number ?? '—'} · toll-free ${audio.defaultTollFreeNumber?.number ?? '—'}`,
        )}
      </Text>
      {latest ? (
        <Text wrap="truncate-end" color={STATE_COLORS[latest.state]}>
          {line(
            `latest migration ${latest.state} ${dateTime(latest.createdAt)} (${age(latest.createdAt, Date.now())} ago) · ${meetingsDone(latest)}/${latest.totalMeetings} meetings${latest.lastMessage ? ` · ${latest.lastMessage}` : ''}`,
          )}
        </Text>
      ) : (
        <Text dimColor>no migration yet</Text>
      )}
    </Box>
  );
}

export const USERS_HELP = [
  { keys: '/', what: 'search by UPN or name' },
  { keys: '⏎', what: "the user's migrations" },
  { keys: 'l', what: 'open the latest migration' },
  { keys: 'n', what: 'preview and start a new migration' },
  ...TABLE_HELP,
];

function columnsAt(now: number): Column<UserRow, Order>[] {
  const latest = (u: UserRow) => u.latestMeetingMigration;
  return [
    column('USER', 22, (u) => u.userPrincipalName, { grow: 18, order: 'USER_PRINCIPAL_NAME' }),
    column('NAME', 14, (u) => u.displayName, { grow: 16, order: 'DISPLAY_NAME' }),
    column('LATEST', 11, (u) => latest(u)?.state ?? '—', {
      color: (u) => STATE_COLORS[latest(u)?.state ?? ''] ?? 'gray',
      order: 'LATEST_MIGRATION_STATE',
    }),
    column('WHEN', 12, (u) => latest(u)?.createdAt ?? '', {
      priority: 2,
      text: (u) => ago(latest(u)?.createdAt, now),
      order: 'LATEST_MIGRATION_CREATED_AT',
    }),
    column('HOSTING', 11, (u) => u.skypeHosting, { priority: 2, order: 'SKYPE_HOSTING' }),
    column('UPGRADE', 18, (u) => u.teamsUpgradeMode, { priority: 3, order: 'TEAMS_UPGRADE_MODE' }),
    column('AUDIO', 11, (u) => u.audioConferencing.provider, {
      priority: 3,
      order: 'AUDIO_CONFERENCING_PROVIDER',
    }),
    column('MAILBOX', 20, (u) => u.mailboxLocation, { priority: 4, order: 'MAILBOX_LOCATION' }),
  ];
}

export function Users({
  height,
  width = 80,
  onOpen,
  onUser,
}: {
  /** Lines the screen has, its title and the card included. */
  height: number;
  width?: number;
  /** Opens a migration. */
  onOpen?: (migrationId: string) => void;
  /** Shows a user's migrations. */
  onUser?: (user: { id: string; userPrincipalName: string }) => void;
}) {
  const now = useNow();
  const [starting, setStarting] = useState<UserRow | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const { search, searching, startSearching, prompt } = useListSearch(
    'users.search',
    'part of a UPN or name',
    () => {},
    width,
  );
  const list = useServerTable({
    memoryKey: 'users.table',
    columns: columnsAt(now),
    rowKey: (u) => u.id,
    width,
    height: Math.max(3, height - 2 - USER_CARD_LINES - (searching ? 1 : 0)),
    scope: search,
    defaultSort: { title: 'USER', descending: false },
  });
  const [result, refresh, current] = usePolledQuery({
    query: USERS_PAGE,
    variables: { search: search || null, ...list.variables },
  });

  const connection = current ? result.data?.tenant?.users : undefined;
  const table = list.show(connection);
  const user = table.selected;
  useKeys(
    (press) => {
      const { input, key } = press;
      if (table.onKey(press)) return true;
      if (input === '/') startSearching();
      else if (input === 'n' && user) {
        setOutcome(null);
        setStarting(user);
      } else if (key.return && user) onUser?.(user);
      else if (input === 'l' && user) {
        if (user.latestMeetingMigration) onOpen?.(user.latestMeetingMigration.id);
        else
          setOutcome({ ok: false, message: `${user.userPrincipalName} has no migration yet; n starts one` });
      } else return false;
      return true;
    },
    { ready: current, active: !starting, help: USERS_HELP },
  );

  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>Users</Text>
        <Text dimColor> · {search ? `matching "${search}"` : 'all'}</Text>
      </Text>
      {prompt}
      <ListStatus error={result.error} empty={connection?.edges.length === 0} what="users" />
      {starting ? (
        <StartMigration
          user={starting}
          width={width}
          previewRows={Math.max(1, height - 9)}
          onDone={(said) => {
            setStarting(null);
            setOutcome(said);
            refresh();
          }}
        />
      ) : (
        <>
          {table.view ?? <Text dimColor>loading…</Text>}
          {user ? <UserCard user={user} width={width} /> : null}
        </>
      )}
      <OutcomeLine outcome={outcome} />
    </Box>
  );
}
