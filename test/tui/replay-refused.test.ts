/** What the TUI does when a stream's replay is refused (REPLAY_LIMIT): ask again from now, or say not live. */
import { expect, test } from 'vitest';
import { afterReplayRefused, replayFrom } from '../../tui/connection.ts';

const now = Date.parse('2026-12-03T12:00:00.000Z');

test('a stream from minutes or hours back is asked again from now', () => {
  expect(afterReplayRefused(replayFrom(now), now)).toEqual({ since: '2026-12-03T12:00:00.000Z' });
  // A reconnection hours after the screen opened asks from its old start: again from now, not "not live".
  expect(afterReplayRefused('2026-12-03T08:00:00.000Z', now)).toEqual({ since: '2026-12-03T12:00:00.000Z' });
});

test('a stream that started moments ago and is refused all the same is not live (too many open)', () => {
  expect(afterReplayRefused('2026-12-03T11:59:58.000Z', now)).toBe('not live');
  expect(afterReplayRefused('2026-12-03T12:00:00.000Z', now)).toBe('not live');
});
