import type { Client } from '@urql/core';
import { Box, Text, useApp, useInput, useStdin } from 'ink';
import { Provider } from 'urql';
import { type ConnectionState, Dashboard } from './components/Dashboard.tsx';

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
  useInput(
    (input, key) => {
      if (input === 'q' || (key.ctrl && input === 'c')) exit();
    },
    { isActive: isRawModeSupported === true },
  );
  return (
    <Provider value={client}>
      <Box flexDirection="column" gap={1}>
        <Dashboard tenantName={tenantName} connection={connection} />
        <Text dimColor>q quit</Text>
      </Box>
    </Provider>
  );
}
