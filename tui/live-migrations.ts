/**
 * The migrations the dashboard follows, kept from the meetingMigrationUpdated stream: the open ones, the
 * latest failures (the newest ones read once at the start), and the rate of meetings updated. Only open
 * migrations and a few failures are kept, however many pass by. Events are gathered as they come and
 * handed to React at most ten times a second, so a burst of events is one redraw.
 */
import { useEffect, useRef, useState } from 'react';
import { useQuery, useSubscription } from 'urql';
import { afterReplayRefused, isReplayRefused, replayFrom } from './connection.ts';
import { meetingsDone } from './format.ts';
import { graphql, type ResultOf } from './graphql.ts';

/** A migration as the dashboard follows it. */
const LIVE_MIGRATION = graphql(`
  fragment LiveMigration on MeetingMigration {
    id state createdAt modifiedAt notBefore nextAttemptAt totalMeetings succeededMeetings failedMeetings
    skippedMeetings lastMessage user { id userPrincipalName }
  }
`);
export const MIGRATION_EVENTS = graphql(
  `subscription LiveMigrationEvents($since: DateTime) { meetingMigrationUpdated(since: $since) { ...LiveMigration } }`,
  [LIVE_MIGRATION],
);
/** Failures no later run of the same user replaced. */
const LATEST_FAILURES = graphql(
  `query LatestFailures($first: Int) {
    meetingMigrations(states: [FAILED], latestPerUser: true, first: $first) { edges { node { ...LiveMigration } } }
  }`,
  [LIVE_MIGRATION],
);

/** Its hold ends at notBefore; a retry waiting out a transient failure waits for nextAttemptAt too. */
export type LiveMigration = ResultOf<typeof LIVE_MIGRATION>;

export interface LiveView {
  open: LiveMigration[];
  failures: LiveMigration[];
  /** Meetings updated per second over the last few seconds, oldest first (for the sparkline). */
  rates: number[];
  /**
   * The stream was refused even from now on: more migrations are open than the server replays at once
   * (MMS_MAX_REPLAY_EVENTS), and what it would carry is not shown.
   */
  notLive: boolean;
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

/**
 * The latest failures after a migration changed: it is in them while it is FAILED, newest first; a failure
 * of the same user that a newer run replaced leaves them.
 */
export function nextFailures(failures: readonly LiveMigration[], changed: LiveMigration): LiveMigration[] {
  const replaced = (m: LiveMigration) => m.user.id === changed.user.id && m.createdAt < changed.createdAt;
  const others = failures.filter((m) => m.id !== changed.id && !replaced(m));
  if (changed.state !== 'FAILED') return others;
  // A failure older than one of the same user shown is itself replaced.
  if (failures.some((m) => m.user.id === changed.user.id && m.createdAt > changed.createdAt)) return others;
  return [changed, ...others]
    .sort((a, b) => b.modifiedAt.localeCompare(a.modifiedAt))
    .slice(0, FAILURES_KEPT);
}

/** How long the open migrations will take: the hold still to wait, then the work queued and running. */
export interface TimeLeft {
  /** Seconds in all; null while no rate is known. */
  seconds: number | null;
  /** Seconds until the last hold (or retry wait) of a pending migration ends. */
  holdSeconds: number;
  /** Pending migrations, whose meetings are not counted yet: each is taken as large as the running ones. */
  queued: number;
}

export function timeLeft(open: readonly LiveMigration[], rate: number, nowMs: number): TimeLeft {
  const running = open.filter((m) => m.state === 'IN_PROGRESS');
  const pending = open.filter((m) => m.state === 'PENDING');
  const holdEnds = pending.map((m) =>
    Math.max(Date.parse(m.notBefore) || 0, Date.parse(m.nextAttemptAt ?? '') || 0),
  );
  const holdSeconds = Math.max(0, Math.ceil((Math.max(nowMs, ...holdEnds) - nowMs) / 1000));
  const remaining = running.reduce((sum, m) => sum + Math.max(0, m.totalMeetings - meetingsDone(m)), 0);
  const perMigration =
    running.length > 0 ? running.reduce((sum, m) => sum + m.totalMeetings, 0) / running.length : 0;
  // The queue starts once the hold is over and the running work has made room, whichever comes later.
  return {
    seconds:
      rate > 0
        ? Math.ceil(Math.max(holdSeconds, remaining / rate) + (pending.length * perMigration) / rate)
        : null,
    holdSeconds,
    queued: pending.length,
  };
}

const isOpen = (m: LiveMigration) => m.state === 'PENDING' || m.state === 'IN_PROGRESS';

export function useLiveMigrations(now: () => number = Date.now): LiveView {
  const [since, setSince] = useState(() => replayFrom(now()));
  const open = useRef(new Map<string, LiveMigration>());
  const failures = useRef<LiveMigration[]>([]);
  const updatedThisSecond = useRef(0);
  // The stream refused even from now on (see below), until an event says otherwise.
  const notLive = useRef(false);
  const [view, setView] = useState<LiveView>({ open: [], failures: [], rates: [], notLive: false });
  const rates = useRef<number[]>([]);
  // Set by whatever changes the view: the timer redraws only then.
  const changed = useRef(true);

  const [latestFailures] = useQuery({ query: LATEST_FAILURES, variables: { first: FAILURES_KEPT } });
  // Migrations an event told about before the failures were read: the event is newer than the read.
  const seenBeforeRead = useRef<Set<string> | null>(new Set());
  useEffect(() => {
    const read = latestFailures.data?.meetingMigrations.edges;
    if (!read || !seenBeforeRead.current) return;
    for (const { node } of read)
      if (!seenBeforeRead.current.has(node.id)) failures.current = nextFailures(failures.current, node);
    seenBeforeRead.current = null;
    changed.current = true;
  }, [latestFailures.data]);

  // The handler sees every event, also those that arrive between two renders.
  const [stream] = useSubscription(
    { query: MIGRATION_EVENTS, variables: { since } },
    (_previous: null | undefined, { meetingMigrationUpdated: event }) => {
      seenBeforeRead.current?.add(event.id);
      notLive.current = false;
      updatedThisSecond.current += meetingsUpdatedSince(open.current.get(event.id), event);
      if (isOpen(event)) open.current.set(event.id, event);
      else open.current.delete(event.id);
      failures.current = nextFailures(failures.current, event);
      changed.current = true;
      return null;
    },
  );

  // More changes in the window than the server replays (on opening, or on a reconnection hours later): asked
  // again from now on, beside what the failures read gave.
  useEffect(() => {
    // A refusal counts for the stream asked for now, not one left over from the stream before it.
    if (!isReplayRefused(stream.error) || stream.operation?.variables.since !== since) return;
    const next = afterReplayRefused(since, now());
    if (next === 'not live') notLive.current = true;
    else setSince(next.since);
    changed.current = true;
  }, [stream.error, stream.operation, since, now]);

  useEffect(() => {
    let ticks = 0;
    const timer = setInterval(() => {
      ticks += 1;
      if (ticks % (1000 / REDRAW_MS) === 0) {
        // An idle second after idle seconds changes nothing on screen.
        if (updatedThisSecond.current > 0 || rates.current.some((rate) => rate > 0)) {
          rates.current = [...rates.current, updatedThisSecond.current].slice(-RATE_WINDOW);
          changed.current = true;
        }
        updatedThisSecond.current = 0;
      }
      if (!changed.current) return;
      changed.current = false;
      setView({
        open: [...open.current.values()],
        failures: failures.current,
        rates: rates.current,
        notLive: notLive.current,
      });
    }, REDRAW_MS);
    return () => clearInterval(timer);
  }, []);
  return view;
}
