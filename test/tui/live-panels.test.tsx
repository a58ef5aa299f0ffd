import { render } from 'ink-testing-library';
import { describe, expect, test } from 'vitest';
import { LivePanels } from '../../tui/components/LivePanels.tsx';
import { age, progressBar, sparkline } from '../../tui/format.ts';
import {
  type LiveMigration,
  meetingsUpdatedSince,
  nextFailures,
  timeLeft,
} from '../../tui/live-migrations.ts';

/** A migration as the stream tells it; each is its own user's unless the test gives the user's id. */
const migration = ({
  user,
  ...overrides
}: Partial<Omit<LiveMigration, 'user'>> & { user?: Partial<LiveMigration['user']> }): LiveMigration => ({
  id: 'm',
  state: 'IN_PROGRESS',
  createdAt: '2026-01-01T10:00:00.000Z',
  modifiedAt: '2026-01-01T10:00:00.000Z',
  notBefore: '2026-01-01T10:00:00.000Z',
  nextAttemptAt: null,
  totalMeetings: 100,
  succeededMeetings: 0,
  failedMeetings: 0,
  skippedMeetings: 0,
  lastMessage: null,
  ...overrides,
  user: { id: `user-${overrides.id ?? 'm'}`, userPrincipalName: 'someone@contoso.com', ...user },
});

describe('drawing helpers', () => {
  test('a sparkline scales to its largest value', () => {
    expect(sparkline([0, 4, 8])).toBe('▁▅█');
    expect(sparkline([])).toBe('');
  });

  test('a progress bar fills in proportion, never beyond its width', () => {
    expect(progressBar(1, 4, 8)).toBe('██░░░░░░');
    expect(progressBar(9, 4, 4)).toBe('████');
    expect(progressBar(0, 0, 3)).toBe('░░░');
  });

  test('the rate counts what changed between two events, not what a migration did before it was seen', () => {
    const before = migration({ succeededMeetings: 40 });
    expect(meetingsUpdatedSince(undefined, before)).toBe(0);
    expect(meetingsUpdatedSince(before, migration({ succeededMeetings: 55 }))).toBe(15);
    expect(meetingsUpdatedSince(before, migration({ succeededMeetings: 40, state: 'SUCCEEDED' }))).toBe(0);
  });

  test('the latest failures: newest first, and a migration leaves them once it is retried', () => {
    const failed = (id: string, at: string) => migration({ id, state: 'FAILED', modifiedAt: at });
    let failures = nextFailures([], failed('a', '2026-01-01T10:00:00Z'));
    failures = nextFailures(failures, failed('b', '2026-01-01T11:00:00Z'));
    expect(failures.map((m) => m.id)).toEqual(['b', 'a']);
    failures = nextFailures(failures, migration({ id: 'a', state: 'PENDING' }));
    expect(failures.map((m) => m.id)).toEqual(['b']);
    failures = nextFailures(failures, failed('b', '2026-01-01T12:00:00Z'));
    expect(failures).toHaveLength(1);
  });

  test('ages read in seconds, minutes or hours', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(age('2026-01-01T11:59:30Z', now)).toBe('30 s');
    expect(age('2026-01-01T11:30:00Z', now)).toBe('30 min');
    expect(age('2026-01-01T07:00:00Z', now)).toBe('5 h');
  });
});

test('running migrations, the overall progress with time left, the oldest pending one and failures', () => {
  const view = {
    open: [
      migration({ id: 'a', succeededMeetings: 30, user: { userPrincipalName: 'alice@contoso.com' } }),
      migration({
        id: 'b',
        succeededMeetings: 10,
        failedMeetings: 10,
        user: { userPrincipalName: 'bob@contoso.com' },
      }),
      migration({ id: 'c', state: 'PENDING', createdAt: '2026-01-01T11:58:00.000Z' }),
    ],
    failures: [
      migration({ id: 'd', state: 'FAILED', lastMessage: '3 meetings failed: too many participants (3)' }),
    ],
    rates: [10, 20, 40],
    notLive: false,
  };
  const { lastFrame } = render(
    <LivePanels view={view} width={80} now={Date.parse('2026-01-01T12:00:00Z')} />,
  );
  const frame = lastFrame() ?? '';
  expect(frame).toMatch(/40 meetings\/s ▃▅█ · oldest pending 2 min/);
  // 150 meetings running at 40/s, then the pending one, taken as large as the running ones: 250 / 40.
  expect(frame).toMatch(/50\/200 · about 7 s left · 1 queued/);
  expect(frame).toMatch(/In progress \(2\)/);
  expect(frame).toMatch(/█{6}░{14} alice@contoso\.com 30\/100/);
  expect(frame).toMatch(/bob@contoso\.com 20\/100/);
  expect(frame).toMatch(/✗ someone@contoso\.com: 3 meetings failed: too many participants \(3\)/);
});

describe('the room it is given', () => {
  const many = (count: number, state: LiveMigration['state']) =>
    Array.from({ length: count }, (_, i) =>
      migration({
        id: `${state}${i}`,
        state,
        user: { userPrincipalName: `${state.toLowerCase()}${i}@contoso.com` },
      }),
    );
  const lines = (frame: string) => frame.split('\n');

  test('in 20 lines: some running ones, how many more, and five failures', () => {
    const view = { open: many(30, 'IN_PROGRESS'), failures: many(10, 'FAILED'), rates: [5], notLive: false };
    const frame = render(<LivePanels view={view} height={20} />).lastFrame() ?? '';
    expect(lines(frame).length).toBeLessThanOrEqual(20);
    expect(frame.match(/in_progress\d+@/g)).toHaveLength(7);
    expect(frame).toMatch(/… and 23 more/);
    expect(frame.match(/✗ failed\d+@/g)).toHaveLength(5);
  });

  test('in 40 lines with two running: every failure kept', () => {
    const view = { open: many(2, 'IN_PROGRESS'), failures: many(20, 'FAILED'), rates: [5], notLive: false };
    const frame = render(<LivePanels view={view} height={40} />).lastFrame() ?? '';
    expect(lines(frame).length).toBeLessThanOrEqual(40);
    expect(frame.match(/in_progress\d+@/g)).toHaveLength(2);
    expect(frame).not.toMatch(/more/);
    expect(frame.match(/✗ failed\d+@/g)).toHaveLength(20);
  });
});

describe('true numbers', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');

  test('time left counts the hold still to wait and the queue, not only running work', () => {
    const running = migration({ id: 'r', totalMeetings: 40, succeededMeetings: 20 });
    const held = migration({
      id: 'p',
      state: 'PENDING',
      totalMeetings: 0,
      notBefore: '2026-01-01T12:01:30Z',
    });
    expect(timeLeft([running], 10, now)).toEqual({ seconds: 2, holdSeconds: 0, queued: 0 });
    // The hold (90 s) outlasts the running work (2 s); then the queued one, as large as the running one.
    expect(timeLeft([running, held], 10, now)).toEqual({ seconds: 94, holdSeconds: 90, queued: 1 });
    const retrying = migration({ id: 'q', state: 'PENDING', nextAttemptAt: '2026-01-01T12:05:00Z' });
    expect(timeLeft([retrying], 0, now)).toEqual({ seconds: null, holdSeconds: 300, queued: 1 });
    const frame = render(
      <LivePanels view={{ open: [held], failures: [], rates: [], notLive: false }} now={now} />,
    ).lastFrame();
    expect(frame).toMatch(/nothing running · hold ends in 2 min · 1 queued/);
  });

  test('a run whose meetings are not counted yet has no bar, never 0/0', () => {
    const selecting = migration({
      id: 's',
      totalMeetings: 0,
      user: { userPrincipalName: 'new@contoso.com' },
    });
    const frame =
      render(
        <LivePanels view={{ open: [selecting], failures: [], rates: [], notLive: false }} />,
      ).lastFrame() ?? '';
    expect(frame).toMatch(/selecting meetings\s+new@contoso\.com/);
    expect(frame).not.toMatch(/0\/0/);
  });

  test('a failure a later run of the same user replaced leaves the latest failures', () => {
    const user = { id: 'u1', userPrincipalName: 'eve@contoso.com' };
    const old = migration({ id: 'old', state: 'FAILED', user, createdAt: '2026-01-01T10:00:00Z' });
    const other = migration({
      id: 'x',
      state: 'FAILED',
      user: { id: 'u2', userPrincipalName: 'x@contoso.com' },
    });
    let failures = nextFailures(nextFailures([], old), other);
    expect(failures.map((m) => m.id)).toEqual(['x', 'old']);
    failures = nextFailures(
      failures,
      migration({ id: 'new', state: 'PENDING', user, createdAt: '2026-01-01T11:00:00Z' }),
    );
    expect(failures.map((m) => m.id)).toEqual(['x']);
    // The old failure told again (say, after a reconnection) stays out: a newer run of the user is shown.
    const newer = migration({ id: 'new', state: 'FAILED', user, createdAt: '2026-01-01T11:00:00Z' });
    failures = nextFailures(nextFailures(failures, newer), old);
    expect(failures.map((m) => m.id).sort()).toEqual(['new', 'x']);
  });

  test('while the connection is lost every panel says since when', () => {
    const since = Date.parse('2026-01-01T12:00:05Z');
    const view = { open: [migration({})], failures: [], rates: [1], notLive: false };
    const frame = render(<LivePanels view={view} staleSince={since} />).lastFrame() ?? '';
    const clock = new Date(since).toTimeString().slice(0, 8);
    expect(frame.split('\n').filter((line) => line.includes(`stale since ${clock}`))).toHaveLength(3);
  });
});
