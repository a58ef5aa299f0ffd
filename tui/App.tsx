/**
 * The operator console: a header with the tenant and the connection, one screen at a time, and a footer
 * with the keys of that screen. The app's keys switch screens; a screen that holds the keyboard (a
 * search, a question) keeps them off.
 */
import type { Client } from '@urql/core';
import { Box, Text, useApp, useInput, useStdin, useStdout } from 'ink';
import { useEffect, useMemo, useState } from 'react';
import { Provider } from 'urql';
import { Activity } from './components/Activity.tsx';
import { type ConnectionState, Dashboard } from './components/Dashboard.tsx';
import { Failures } from './components/Failures.tsx';
import { MigrationDetail } from './components/MigrationDetail.tsx';
import { MigrationsList } from './components/MigrationsList.tsx';
import { Settings } from './components/Settings.tsx';
import { USER_CARD_LINES, Users } from './components/Users.tsx';
import { KeyboardContext } from './keyboard.ts';
import { ScreenMemory } from './screen-memory.ts';

type Screen =
  | 'dashboard'
  | 'migrations'
  | 'migration'
  | 'users'
  | 'activity'
  | 'settings'
  | 'help'
  | 'failures';

/** The app's keys for its screens. */
const SCREEN_KEYS: Record<string, Screen> = {
  d: 'dashboard',
  m: 'migrations',
  u: 'users',
  e: 'activity',
  t: 'settings',
  x: 'failures',
};

const KEYS: Record<Screen, string> = {
  dashboard: 'd m u e t screens',
  migrations: 'a/p/i/f/s/c state · / user · ↑/↓ · ←/→ page · ⏎ open',
  migration: 'r retry · c cancel · tab triggers · ←/→ page · esc back',
  users: '/ search · ↑/↓ · ←/→ page · s start · ⏎ latest migration',
  activity: 'd m u e t screens',
  settings: '1/2/3 toggle',
  help: 'any key back',
  failures: '↑/↓ group · tab its migrations · space mark · r retry · c cancel',
};

const CONNECTION_COLORS: Record<ConnectionState, string> = {
  live: 'green',
  reconnecting: 'yellow',
  offline: 'red',
};

/** Every key, with where it works. */
const HELP: [keys: string, what: string][] = [
  ['d', 'dashboard: counts, rate, running migrations and failures, live'],
  ['m', 'migrations, newest first; ⏎ opens one'],
  ['a p i f s c', 'filter: all, pending, in progress, failed, succeeded, cancelled'],
  ['/', 'in migrations and users: search by user'],
  ['↑ ↓ ← →', 'select, and turn the page (also k j, b n)'],
  ['r c', 'in a migration: retry, cancel (each asks y/n first)'],
  ['tab', 'in a migration: results or triggers; when starting: the next field'],
  ['u', 'users: coordinates and latest migration; s previews and starts one'],
  ['e', 'activity: triggers as evaluated, and why each did or did not migrate'],
  ['t', "settings: 1, 2, 3 toggle the tenant's switches (each asks y/n first)"],
  ['x', 'failures by reason: r retry, c cancel them in bulk (y/n first)'],
  ['esc', 'back'],
  ['q  Ctrl-C', 'quit'],
];

function Help() {
  return (
    <Box flexDirection="column">
      <Text bold>Keys</Text>
      {HELP.map(([keys, what]) => (
        <Text key={keys} wrap="truncate-end">
          <Text bold>{keys.padEnd(12)}</Text>
          {what}
        </Text>
      ))}
    </Box>
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

export function App({
  client,
  tenantName,
  connection,
}: {
  client: Client;
  tenantName: string;
  connection: ConnectionState;
}) {
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  const { columns, rows } = useTerminalSize();
  const [history, setHistory] = useState<Screen[]>(['dashboard']);
  const [migrationId, setMigrationId] = useState<string | null>(null);
  // How many parts of the screen hold the keyboard (a prompt and its screen may both).
  const [holders, setHolders] = useState(0);
  const screen = history.at(-1) ?? 'dashboard';
  const active = isRawModeSupported === true;
  const keyboard = useMemo(
    () => ({
      active,
      hold: () => {
        setHolders((n) => n + 1);
        return () => setHolders((n) => n - 1);
      },
    }),
    [active],
  );
  const [memory] = useState(() => new Map<string, unknown>());

  const go = (next: Screen) => setHistory((h) => (h.at(-1) === next ? h : [...h, next].slice(-20)));
  const back = () => setHistory((h) => (h.length > 1 ? h.slice(0, -1) : h));
  const openMigration = (id: string) => {
    setMigrationId(id);
    go('migration');
  };
  useInput(
    (input, key) => {
      if (input === 'q' || (key.ctrl && input === 'c')) return exit();
      if (screen === 'help') return back();
      if (input === '?') go('help');
      else if (key.escape || key.backspace || key.delete) back();
      else if (SCREEN_KEYS[input]) go(SCREEN_KEYS[input]);
    },
    { isActive: active && holders === 0 },
  );

  // Header, footer and the gaps around the screen; one row spare, so a frame never fills the terminal.
  const body = Math.max(6, rows - 5);
  return (
    <Provider value={client}>
      <KeyboardContext.Provider value={keyboard}>
        <ScreenMemory.Provider value={memory}>
          <Box flexDirection="column" width={columns}>
            <Box justifyContent="space-between">
              <Text>
                <Text bold>MMS · {tenantName}</Text> <Text dimColor>› {screen}</Text>
              </Text>
              <Text color={CONNECTION_COLORS[connection]}>● {connection}</Text>
            </Box>
            <Box flexDirection="column" marginY={1} height={body} overflow="hidden">
              {screen === 'dashboard' ? (
                <Dashboard width={columns} height={body} connection={connection} />
              ) : null}
              {screen === 'migrations' ? (
                <MigrationsList pageSize={Math.max(3, body - 2)} width={columns} onOpen={openMigration} />
              ) : null}
              {screen === 'migration' && migrationId ? (
                <MigrationDetail id={migrationId} pageSize={Math.max(1, body - 11)} />
              ) : null}
              {screen === 'users' ? (
                <Users
                  pageSize={Math.max(3, body - 3 - USER_CARD_LINES)}
                  width={columns}
                  onOpen={openMigration}
                />
              ) : null}
              {screen === 'activity' ? <Activity shown={Math.max(1, Math.floor((body - 1) / 2))} /> : null}
              {screen === 'settings' ? <Settings /> : null}
              {screen === 'help' ? <Help /> : null}
              {screen === 'failures' ? <Failures height={body} /> : null}
            </Box>
            <Text dimColor wrap="truncate-end">
              {KEYS[screen]} · ? help · q quit
            </Text>
          </Box>
        </ScreenMemory.Provider>
      </KeyboardContext.Provider>
    </Provider>
  );
}
