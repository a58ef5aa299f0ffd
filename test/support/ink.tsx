/** TUI components rendered with ink-testing-library against a real server, over HTTP and graphql-ws. */
import { render } from 'ink-testing-library';
import type { ReactElement } from 'react';
import { Provider } from 'urql';
import { mmsClient } from '../../tui/client.ts';
import { liveClient } from '../../tui/connection.ts';
import { KeyboardProvider } from '../../tui/keyboard.ts';
import type { TestServer } from './server.ts';

export interface RenderedScreen {
  /** Resolves with the frame once it matches; fails showing the last frame when it never does. */
  frameShowing(pattern: RegExp | ((frame: string) => boolean), what?: string): Promise<string>;
  lastFrame(): string;
  /** Types keys one at a time, each after the screen had a moment to take the one before. */
  press(...keys: string[]): Promise<void>;
  /** Types keys one after another with no pause at all, faster than the screen renders. */
  pressAtOnce(...keys: string[]): void;
  close(): Promise<void>;
}

export const ENTER = '\r';
export const ESCAPE = '\u001b';
export const DOWN = '\u001b[B';
export const RIGHT = '\u001b[C';

export function renderAgainst(server: TestServer, token: string, element: ReactElement): RenderedScreen {
  const live = liveClient({ url: server.url, token });
  // Components take keys through the keyboard layer, as they do in the app.
  const view = render(
    <Provider value={mmsClient({ url: server.url, token }, live)}>
      <KeyboardProvider>{element}</KeyboardProvider>
    </Provider>,
  );
  const lastFrame = () => view.lastFrame() ?? '';
  return {
    lastFrame,
    async frameShowing(pattern, what) {
      const matches = typeof pattern === 'function' ? pattern : (frame: string) => pattern.test(frame);
      for (let i = 0; i < 400; i++) {
        if (matches(lastFrame())) return lastFrame();
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`the screen never showed ${what ?? pattern}:\n${lastFrame()}`);
    },
    async press(...keys) {
      for (const key of keys) {
        view.stdin.write(key);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    pressAtOnce(...keys) {
      for (const key of keys) view.stdin.write(key);
    },
    async close() {
      view.unmount();
      await live.dispose();
    },
  };
}
