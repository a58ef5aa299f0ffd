/**
 * The tenant's users, by user principal name, a page at a time: `/` searches by UPN or name, ↑/↓ select.
 * The selected user's coordinates and latest migration show below; s starts a migration after a preview,
 * Enter opens the latest migration.
 */
import { Box, Text, useInput } from 'ink';
import { useState } from 'react';
import type { Outcome } from '../commands.ts';
import { age, dateTime, fitColumns, meetingsDone, STATE_COLORS } from '../format.ts';
import { useCapture } from '../keyboard.ts';
import { type PageInfo, usePaging } from '../paging.ts';
import { usePolledQuery } from '../polled-query.ts';
import { ListStatus, useListSearch } from './ListSearch.tsx';
import { OutcomeLine } from './Question.tsx';
import { StartMigration } from './StartMigration.tsx';

export const USERS_PAGE = `query($search: String, $first: Int, $after: String, $last: Int, $before: String) {
  tenant { users(search: $search, first: $first, after: $after, last: $last, before: $before) {
    edges { node {
      id userPrincipalName displayName sipAddress skypeHosting teamsUpgradeMode mailboxLocation
      audioConferencing {
        provider licensed dialInEnabled conferenceId thirdPartyProviderName
        bridge { name } defaultTollNumber { number } defaultTollFreeNumber { number }
      }
      latestMeetingMigration {
        id state createdAt totalMeetings succeededMeetings failedMeetings skippedMeetings lastMessage
      }
    } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  } }
}`;

interface UserRow {
  id: string;
  userPrincipalName: string;
  displayName: string;
  sipAddress: string;
  skypeHosting: string;
  teamsUpgradeMode: string;
  mailboxLocation: string;
  audioConferencing: {
    provider: string;
    licensed: boolean;
    dialInEnabled: boolean;
    conferenceId: string | null;
    thirdPartyProviderName: string | null;
    bridge: { name: string } | null;
    defaultTollNumber: { number: string } | null;
    defaultTollFreeNumber: { number: string } | null;
  };
  latestMeetingMigration: {
    id: string;
    state: string;
    createdAt: string;
    totalMeetings: number;
    succeededMeetings: number;
    failedMeetings: number;
    skippedMeetings: number;
    lastMessage: string | null;
  } | null;
}

/** Lines the selected user's card takes below the list. */
export const USER_CARD_LINES = 7;

function UserCard({ user }: { user: UserRow }) {
  const audio = user.audioConferencing;
  const latest = user.latestMeetingMigration;
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold wrap="truncate-end">
        {user.displayName} <Text dimColor>{user.sipAddress}</Text>
      </Text>
      <Text wrap="truncate-end">
        hosting {user.skypeHosting} · upgrade {user.teamsUpgradeMode} · mailbox {user.mailboxLocation}
      </Text>
      <Text wrap="truncate-end">
        audio {audio.provider}
        {audio.thirdPartyProviderName ? ` (${audio.thirdPartyProviderName})` : ''} ·{' '}
        {audio.licensed ? 'licensed' : 'unlicensed'} · dial-in {audio.dialInEnabled ? 'on' : 'off'} ·
        conference ID {audio.conferenceId ?? '—'}
      </Text>
      <Text wrap="truncate-end">
        bridge {audio.bridge?.name ?? '—'} · toll {audio.defaultTollNumber?.number ?? '—'} · toll-free{' '}
        {audio.defaultTollFreeNumber?.number ?? '—'}
      </Text>
      {latest ? (
        <Text wrap="truncate-end">
          latest migration <Text color={STATE_COLORS[latest.state]}>{latest.state}</Text>{' '}
          {dateTime(latest.createdAt)} ({age(latest.createdAt, Date.now())} ago) · {meetingsDone(latest)}/
          {latest.totalMeetings} meetings{latest.lastMessage ? ` · ${latest.lastMessage}` : ''}
        </Text>
      ) : (
        <Text dimColor>no migration yet</Text>
      )}
    </Box>
  );
}

export function Users({
  pageSize,
  width = 80,
  onOpen,
}: {
  pageSize: number;
  width?: number;
  onOpen?: (migrationId: string) => void;
}) {
  // Marker and state take 16 columns; the UPN and the name share the rest.
  const nameWidth = Math.max(10, Math.floor((width - 16) / 2));
  const [starting, setStarting] = useState<UserRow | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const paging = usePaging(pageSize, 'users.page');
  const { search, searching, startSearching, prompt } = useListSearch(
    'users.search',
    'part of a UPN or name',
    paging.reset,
  );
  const active = useCapture(searching);
  const [result, refresh] = usePolledQuery<{
    tenant: { users: { edges: { node: UserRow }[]; pageInfo: PageInfo } } | null;
  }>({ query: USERS_PAGE, variables: { search: search || null, ...paging.variables } });

  const connection = result.data?.tenant?.users;
  const users = connection?.edges.map((edge) => edge.node) ?? [];
  const selected = paging.selectedOf(users.length);
  const user = users[selected];
  useInput(
    (input, key) => {
      if (paging.onKey(input, key, connection?.pageInfo, connection ? users.length : undefined)) return;
      if (input === '/') startSearching();
      else if (input === 's') {
        setOutcome(null);
        setStarting(users[paging.selectedOf(users.length)] ?? null);
      } else if (key.return) {
        const chosen = users[paging.selectedOf(users.length)];
        if (chosen?.latestMeetingMigration) onOpen?.(chosen.latestMeetingMigration.id);
        else if (chosen)
          setOutcome({
            ok: false,
            message: `${chosen.userPrincipalName} has no migration yet; s starts one`,
          });
      }
    },
    { isActive: active && !searching && !starting },
  );

  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>Users</Text>
        <Text dimColor> · {search ? `matching "${search}"` : 'all'}</Text>
      </Text>
      {prompt}
      <ListStatus error={result.error} empty={connection?.edges.length === 0} what="users" />
      {starting ? (
        <StartMigration
          user={starting}
          previewRows={Math.max(1, pageSize + USER_CARD_LINES - 6)}
          onDone={(said) => {
            setStarting(null);
            setOutcome(said);
            refresh({ requestPolicy: 'network-only' });
          }}
        />
      ) : (
        <>
          {users.map((row, index) => (
            <Text key={row.id} wrap="truncate-end" bold={index === selected}>
              {index === selected ? '›' : ' '} {fitColumns(row.userPrincipalName, nameWidth)}{' '}
              {fitColumns(row.displayName, nameWidth)}{' '}
              <Text color={STATE_COLORS[row.latestMeetingMigration?.state ?? ''] ?? 'gray'}>
                {row.latestMeetingMigration?.state ?? '—'}
              </Text>
            </Text>
          ))}
          {user ? <UserCard user={user} /> : null}
        </>
      )}
      <OutcomeLine outcome={outcome} />
    </Box>
  );
}
