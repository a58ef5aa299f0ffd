/** How the TUI writes numbers, times and states: small pure functions shared by every screen. */

const SPARKS = '▁▂▃▄▅▆▇█';

export function sparkline(values: number[]): string {
  const max = Math.max(1, ...values);
  return values
    .map((v) => SPARKS[Math.min(SPARKS.length - 1, Math.round((v / max) * (SPARKS.length - 1)))])
    .join('');
}

export function progressBar(done: number, total: number, width: number): string {
  const filled = total > 0 ? Math.round((Math.min(done, total) / total) * width) : 0;
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

/** "3 s", "4 min", "2 h": how long ago, roughly. */
export function age(fromIso: string, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - Date.parse(fromIso)) / 1000));
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

/**
 * "<1 min ago", "3 min ago", "in 2 h": an instant relative to now, for lists; details show the instant
 * itself. Whole minutes at least, so a list's text changes once a minute, not every second.
 */
export function ago(iso: string | null | undefined, nowMs: number): string {
  if (!iso) return '—';
  const ms = Date.parse(iso) - nowMs;
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  const span =
    minutes < 1
      ? '<1 min'
      : minutes < 120
        ? `${minutes} min`
        : minutes < 2880
          ? `${Math.floor(minutes / 60)} h`
          : `${Math.floor(minutes / 1440)} d`;
  return ms > 0 ? `in ${span}` : `${span} ago`;
}

/** "2026-11-24 11:40:02" (UTC, as the server sends it); a dash for none. */
export function dateTime(iso: string | null | undefined): string {
  return iso ? `${iso.slice(0, 19).replace('T', ' ')}` : '—';
}

export const STATE_COLORS: Record<string, string> = {
  PENDING: 'yellow',
  IN_PROGRESS: 'cyan',
  FAILED: 'red',
  SUCCEEDED: 'green',
  CANCELLED: 'gray',
};

/** Outcomes of a meeting's migration and of a trigger's evaluation. */
export const OUTCOME_COLORS: Record<string, string> = {
  UPDATED: 'green',
  SKIPPED: 'gray',
  FAILED: 'red',
  STARTED: 'green',
  QUEUED: 'cyan',
  MERGED: 'cyan',
  IGNORED: 'gray',
};

/** Meetings a migration has looked at so far. */
export function meetingsDone(m: {
  succeededMeetings: number;
  failedMeetings: number;
  skippedMeetings: number;
}) {
  return m.succeededMeetings + m.failedMeetings + m.skippedMeetings;
}

/** Exactly `width` terminal columns, cut with `…` or padded (see width.ts). */
export { fitWidth as fitColumns } from './width.ts';
