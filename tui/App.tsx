/**
 * The operator console: a header with the tenant and the connection, one screen at a time, and a footer
 * with the keys of that screen. `?` lays the keys of the screen shown over it. Keys go first to a prompt
 * or question that is open, then to the screen, then to the app's own keys (screens, back, help, quit).
 */
import type { Client } from '@urql/core';
import { Box, Text, useApp, useStdout } from 'ink';
import { useEffect, useState } from 'react';
import { Provider } from 'urql';
import { Activity } from './components/Activity.tsx';
import { type ConnectionState, Dashboard } from './components/Dashboard.tsx';
import { Failures } from './components/Failures.tsx';
import { MigrationDetail } from './components/MigrationDetail.tsx';
import { MigrationsList } from './components/MigrationsList.tsx';
import { Settings } from './components/Settings.tsx';
import { Users } from './components/Users.tsx';
import { KeyboardProvider, type KeyHelp, useKeyHelp, useKeys } from './keyboard.ts';
import { ScreenMemory } from './screen-memory.ts';
import { fitWidth, truncate } from './width.ts';

type Screen = 'dashboard' | 'migrations' | 'migration' | 'users' | 'activity' | 'settings' | 'failures';

/** A screen in the history, with what it shows: the migration opened, the user whose migrations show. */
interface Place {
  screen: Screen;
  migrationId?: string;
  user?: { id: string; userPrincipalName: string };
}

/** The app's keys for its screens. */
const SCREEN_KEYS: Record<string, Screen> = {
  d: 'dashboard',
  m: 'migrations',
  u: 'users',
  e: 'activity',
  t: 'settings',
  x: 'failures',
};

export const APP_HELP: KeyHelp[] = [
  { keys: 'd', what: 'dashboard: counts, rate, running migrations and failures, live' },
  { keys: 'm', what: 'migrations, newest first' },
  { keys: 'u', what: "users: coordinates, latest migration, the user's migrations" },
  { keys: 'e', what: 'activity: triggers as evaluated, and why each did or did not migrate' },
  { keys: 't', what: "settings: the tenant's switches" },
  { keys: 'x', what: 'failures grouped by reason, fixed in bulk after a dry run' },
  { keys: 'esc', what: 'back' },
  { keys: '?', what: 'the keys of this screen' },
  { keys: 'q Ctrl-C', what: 'quit' },
];

const CONNECTION_COLORS: Record<ConnectionState, string> = {
  live: 'green',
  reconnecting: 'yellow',
  offline: 'red',
};

/** `?`: every key of the screen below it, then the app's; q, Esc, ? or any other key closes it. */
function HelpOverlay({ height, width, onClose }: { height: number; width: number; onClose: () => void }) {
  // Top first: the screen's keys, then the app's.
  const all = useKeyHelp().flat();
  useKeys(
    () => {
      onClose();
      return true;
    },
    { layer: 'modal' },
  );
  const keysWidth = Math.min(16, Math.max(...all.map((k) => k.keys.length)) + 2);
  return (
    <Box flexDirection="column" height={height} overflow="hidden">
      <Text bold>Keys</Text>
      {all.map(({ keys, what }) => (
        <Text key={`${keys} ${what}`} wrap="truncate-end">
          <Text bold>{fitWidth(keys, keysWidth)}</Text>
          {truncate(what, width - keysWidth)}
        </Text>
      ))}
    </Box>
  );
}

/** The keys of the screen in one line, as many as fit beside "? help · q quit". */
function Footer({ width, helpOpen }: { width: number; helpOpen: boolean }) {
  const [top = []] = useKeyHelp();
  const fixed = ' · ? help · q quit';
  const keys = helpOpen
    ? 'any key closes help'
    : top.length === 0 || top[0]?.what === APP_HELP[0]?.what
      ? 'd m u e t screens'
      : top.map(({ keys, what }) => `${keys} ${what.replace(/ \(.*\)$/, '').split(/[,:]/)[0]}`).join(' · ');
  return (
    <Text dimColor wrap="truncate-end">
      {truncate(keys, width - fixed.length)}
      {fixed}
    </Text>
  );
}

const sizeOf = (stdout: NodeJS.WriteStream) => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });

/** Columns and rows of the terminal, following resizes. */
function useTerminalSize(): { columns: number; rows: number } {
  const stdout = useStdout().stdout as NodeJS.WriteStream;
  const [size, setSize] = useState(() => sizeOf(stdout));
  useEffect(() => {
    const update = () => setSize(sizeOf(stdout));
    stdout.on('resize', update);
    return () => {
      stdout.off('resize', update);
    };
  }, [stdout]);
  return size;
}

function Console({ tenantName, connection }: { tenantName: string; connection: ConnectionState }) {
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize();
  const [history, setHistory] = useState<Place[]>([{ screen: 'dashboard' }]);
  const [helpOpen, setHelpOpen] = useState(false);
  const place = history.at(-1) ?? { screen: 'dashboard' };

  const go = (next: Place) =>
    setHistory((h) => {
      const last = h.at(-1);
      const same =
        last?.screen === next.screen &&
        last.migrationId === next.migrationId &&
        last.user?.id === next.user?.id;
      return same ? h : [...h, next].slice(-20);
    });
  const back = () => setHistory((h) => (h.length > 1 ? h.slice(0, -1) : h));
  useKeys(
    ({ input, key }) => {
      if (input === 'q') exit();
      else if (input === '?') setHelpOpen(true);
      else if (key.escape || key.backspace || key.delete) back();
      else if (SCREEN_KEYS[input]) go({ screen: SCREEN_KEYS[input] });
      else return false;
      return true;
    },
    { layer: 'app', help: APP_HELP },
  );

  // Header, footer and the gaps around the screen; one row spare, so a frame never fills the terminal.
  const body = Math.max(6, rows - 5);
  const openMigration = (id: string) => go({ screen: 'migration', migrationId: id });
  const state = `● ${connection}`;
  return (
    <Box flexDirection="column" width={columns}>
      <Box justifyContent="space-between">
        <Text wrap="truncate-end">
          <Text bold>{truncate(`MMS · ${tenantName}`, columns - state.length - 16)}</Text>{' '}
          <Text dimColor>› {helpOpen ? 'help' : place.screen}</Text>
        </Text>
        <Text color={CONNECTION_COLORS[connection]}>{state}</Text>
      </Box>
      <Box flexDirection="column" marginY={1} height={body} overflow="hidden">
        {helpOpen ? <HelpOverlay height={body} width={columns} onClose={() => setHelpOpen(false)} /> : null}
        {/* The screen stays while help covers it: its keys are what help lists, its state what help returns to. */}
        <Box flexDirection="column" display={helpOpen ? 'none' : 'flex'}>
          {place.screen === 'dashboard' ? (
            <Dashboard width={columns} height={body} connection={connection} />
          ) : null}
          {place.screen === 'migrations' ? (
            <MigrationsList
              key={place.user?.id ?? 'all'}
              height={body}
              width={columns}
              user={place.user ?? null}
              onOpen={openMigration}
            />
          ) : null}
          {place.screen === 'migration' && place.migrationId ? (
            <MigrationDetail id={place.migrationId} height={body} width={columns} />
          ) : null}
          {place.screen === 'users' ? (
            <Users
              height={body}
              width={columns}
              onOpen={openMigration}
              onUser={(user) => go({ screen: 'migrations', user })}
            />
          ) : null}
          {place.screen === 'activity' ? <Activity height={body} width={columns} /> : null}
          {place.screen === 'settings' ? <Settings /> : null}
          {place.screen === 'failures' ? <Failures height={body} /> : null}
        </Box>
      </Box>
      <Footer width={columns} helpOpen={helpOpen} />
    </Box>
  );
}

export function App({
  client,
  tenantName,
  connection,
}: {
  client: Client;
  tenantName: string;
  connection: ConnectionState;
}) {
  const [memory] = useState(() => new Map<string, unknown>());
  return (
    <Provider value={client}>
      <KeyboardProvider>
        <ScreenMemory.Provider value={memory}>
          <Console tenantName={tenantName} connection={connection} />
        </ScreenMemory.Provider>
      </KeyboardProvider>
    </Provider>
  );
}
