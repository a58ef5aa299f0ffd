import { render } from 'ink-testing-library';
import { describe, expect, test } from 'vitest';
import { LivePanels } from '../../tui/components/LivePanels.tsx';
import { age, progressBar, sparkline } from '../../tui/format.ts';
import { type LiveMigration, meetingsUpdatedSince, nextFailures } from '../../tui/live-migrations.ts';

const migration = (overrides: Partial<LiveMigration>): LiveMigration => ({
  id: 'm',
  state: 'IN_PROGRESS',
  createdAt: '2026-01-01T10:00:00.000Z',
  modifiedAt: '2026-01-01T10:00:00.000Z',
  totalMeetings: 100,
  succeededMeetings: 0,
  failedMeetings: 0,
  skippedMeetings: 0,
  lastMessage: null,
  user: { userPrincipalName: 'someone@contoso.com' },
  ...overrides,
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
  };
  const { lastFrame } = render(
    <LivePanels view={view} width={80} now={Date.parse('2026-01-01T12:00:00Z')} />,
  );
  const frame = lastFrame() ?? '';
  expect(frame).toMatch(/40 meetings\/s ▃▅█ · oldest pending 2 min/);
  expect(frame).toMatch(/50\/200 · about 4 s left/);
  expect(frame).toMatch(/In progress \(2\)/);
  expect(frame).toMatch(/█{6}░{14} alice@contoso\.com 30\/100/);
  expect(frame).toMatch(/bob@contoso\.com 20\/100/);
  expect(frame).toMatch(/✗ someone@contoso\.com: 3 meetings failed: too many participants \(3\)/);
});

describe('the room it is given', () => {
  const many = (count: number, state: string) =>
    Array.from({ length: count }, (_, i) =>
      migration({
        id: `${state}${i}`,
        state,
        user: { userPrincipalName: `${state.toLowerCase()}${i}@contoso.com` },
      }),
    );
  const lines = (frame: string) => frame.split('\n');

  test('in 20 lines: some running ones, how many more, and five failures', () => {
    const view = { open: many(30, 'IN_PROGRESS'), failures: many(10, 'FAILED'), rates: [5] };
    const frame = render(<LivePanels view={view} height={20} />).lastFrame() ?? '';
    expect(lines(frame).length).toBeLessThanOrEqual(20);
    expect(frame.match(/in_progress\d+@/g)).toHaveLength(7);
    expect(frame).toMatch(/… and 23 more/);
    expect(frame.match(/✗ failed\d+@/g)).toHaveLength(5);
  });

  test('in 40 lines with two running: every failure kept', () => {
    const view = { open: many(2, 'IN_PROGRESS'), failures: many(20, 'FAILED'), rates: [5] };
    const frame = render(<LivePanels view={view} height={40} />).lastFrame() ?? '';
    expect(lines(frame).length).toBeLessThanOrEqual(40);
    expect(frame.match(/in_progress\d+@/g)).toHaveLength(2);
    expect(frame).not.toMatch(/more/);
    expect(frame.match(/✗ failed\d+@/g)).toHaveLength(20);
  });
});
