import type { Client } from '@urql/core';
import { Box, Text, useApp, useInput, useStdin, useStdout } from 'ink';
import { useState } from 'react';
import { Provider } from 'urql';
import { type ConnectionState, Dashboard } from './components/Dashboard.tsx';
import { MigrationsList } from './components/MigrationsList.tsx';

type Screen = 'dashboard' | 'migrations' | 'help';

const KEYS: Record<Screen, string> = {
  dashboard: 'm migrations · ? help · q quit',
  migrations: 'a/p/i/f/s/c state · / user · ←/→ page · d dashboard · ? help · q quit',
  help: 'any key back · q quit',
};

function Help() {
  return (
    <Box flexDirection="column">
      <Text bold>Keys</Text>
      <Text>d dashboard: counts, rate, running migrations and failures, live</Text>
      <Text>
        m migrations: newest first; a all, p pending, i in progress, f failed, s succeeded, c cancelled
      </Text>
      <Text>/ search migrations by part of a user's name; ←/→ (or b/n) previous and next page</Text>
      <Text>q or Ctrl-C quit</Text>
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
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  const { stdout } = useStdout();
  const [screen, setScreen] = useState<Screen>('dashboard');
  const [previous, setPrevious] = useState<Screen>('dashboard');
  // While a search is typed, letters are text, not commands.
  const [typing, setTyping] = useState(false);
  useInput(
    (input, key) => {
      if (input === 'q' || (key.ctrl && input === 'c')) return exit();
      if (screen === 'help') return setScreen(previous);
      if (input === '?') {
        setPrevious(screen);
        setScreen('help');
      } else if (input === 'd') setScreen('dashboard');
      else if (input === 'm') setScreen('migrations');
    },
    { isActive: isRawModeSupported === true && !typing },
  );
  const rows = (stdout as NodeJS.WriteStream).rows || 24;
  return (
    <Provider value={client}>
      <Box flexDirection="column" gap={1}>
        {screen === 'dashboard' ? <Dashboard tenantName={tenantName} connection={connection} /> : null}
        {screen === 'migrations' ? (
          <MigrationsList
            pageSize={Math.max(5, rows - 6)}
            isActive={isRawModeSupported === true}
            onTyping={setTyping}
          />
        ) : null}
        {screen === 'help' ? <Help /> : null}
        <Text dimColor>{KEYS[screen]}</Text>
      </Box>
    </Provider>
  );
}
