/**
 * The migrations the dashboard follows, kept from the meetingMigrationUpdated stream: the open ones, the
 * latest failures, and the rate of meetings updated. Events are gathered as they come and handed to
 * React at most ten times a second, so a burst of events is one redraw.
 */
import { useEffect, useRef, useState } from 'react';
import { useSubscription } from 'urql';

export const MIGRATION_EVENTS = `subscription($since: DateTime) {
  meetingMigrationUpdated(since: $since) {
    id state createdAt modifiedAt totalMeetings succeededMeetings failedMeetings skippedMeetings lastMessage
    user { userPrincipalName }
  }
}`;

export interface LiveMigration {
  id: string;
  state: string;
  createdAt: string;
  modifiedAt: string;
  totalMeetings: number;
  succeededMeetings: number;
  failedMeetings: number;
  skippedMeetings: number;
  lastMessage: string | null;
  user: { userPrincipalName: string };
}

export interface LiveView {
  open: LiveMigration[];
  failures: LiveMigration[];
  /** Meetings updated per second over the last few seconds, oldest first (for the sparkline). */
  rates: number[];
}

/**
 * Meetings an event says were updated since the one before it. A migration seen for the first time counts
 * nothing: what it did before (say, when the dashboard opened mid-run) did not happen this second.
 */
export function meetingsUpdatedSince(previous: LiveMigration | undefined, event: LiveMigration): number {
  return previous ? Math.max(0, event.succeededMeetings - previous.succeededMeetings) : 0;
}

const REDRAW_MS = 100;
const RATE_WINDOW = 30;
/** Failures kept for the dashboard, newest first: as many as a tall terminal shows. */
const FAILURES_KEPT = 30;

export function useLiveMigrations(now: () => number = Date.now): LiveView {
  const since = useRef(new Date(now()).toISOString());
  const migrations = useRef(new Map<string, LiveMigration>());
  const updatedThisSecond = useRef(0);
  const [view, setView] = useState<LiveView>({ open: [], failures: [], rates: [] });
  const rates = useRef<number[]>([]);

  // The handler sees every event, also those that arrive between two renders.
  useSubscription<{ meetingMigrationUpdated: LiveMigration }, null>(
    { query: MIGRATION_EVENTS, variables: { since: since.current } },
    (_previous, { meetingMigrationUpdated: event }) => {
      updatedThisSecond.current += meetingsUpdatedSince(migrations.current.get(event.id), event);
      migrations.current.set(event.id, event);
      return null;
    },
  );

  useEffect(() => {
    let ticks = 0;
    const timer = setInterval(() => {
      ticks += 1;
      if (ticks % (1000 / REDRAW_MS) === 0) {
        rates.current = [...rates.current, updatedThisSecond.current].slice(-RATE_WINDOW);
        updatedThisSecond.current = 0;
      }
      const all = [...migrations.current.values()];
      setView({
        open: all.filter((m) => m.state === 'PENDING' || m.state === 'IN_PROGRESS'),
        failures: all
          .filter((m) => m.state === 'FAILED')
          .sort((a, b) => b.modifiedAt.localeCompare(a.modifiedAt))
          .slice(0, FAILURES_KEPT),
        rates: rates.current,
      });
    }, REDRAW_MS);
    return () => clearInterval(timer);
  }, []);
  return view;
}
