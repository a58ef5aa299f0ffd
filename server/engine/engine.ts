/**
 * The migration engine (SPEC §4): claims due migrations with a lease, runs several users in parallel and
 * each user's migrations one at a time, and applies each migration in batches — every batch's rewrites,
 * results, invitation updates and counters in one transaction — so a crash loses and repeats nothing.
 */
import { randomUUID } from 'node:crypto';
import { decideMeeting, ineligibility, isSelected, type RunSettings } from '../domain/migration-run.ts';
import type { MeetingMigration } from '../domain/model.ts';
import type { Logger } from '../operations/logger.ts';
import type { WorkCounters } from '../operations/metrics.ts';
import type { DatabaseHealth } from '../services/database-health.ts';
import type { Events } from '../services/events.ts';
import {
  type CandidateMeeting,
  type MeetingOutcomeRecord,
  type RunEnd,
  TransactionEnded,
} from '../storage/engine-store.ts';
import { MeetingsChangedError } from '../storage/helpers/batch/index.ts';
import type { Store } from '../storage/store.ts';

export interface EngineConfig {
  /** Users migrated at the same time. */
  concurrency: number;
  /** Participants allowed per meeting, organizer included. */
  maxParticipants: number;
  /** Meetings per transaction: small enough to keep the event loop responsive. */
  batchSize: number;
  /** How long a claimed migration stays with its worker without a sign of life. */
  leaseSeconds: number;
  /** Waits before each retry of a transient failure; its length is the number of retries. */
  retryScheduleMs: number[];
  /** How often to look for due work when nothing announced it. */
  pollMs: number;
  /** Finished migrations older than this are purged (MMS: 150 days). */
  retentionDays: number;
}

const PURGE_INTERVAL_MS = 3_600_000;

export interface EngineDeps {
  store: Store;
  events: Events;
  config: EngineConfig;
  now: () => Date;
  logger: Logger;
  /** Tells once when the database goes away and comes back, and how long to wait meanwhile. */
  health: DatabaseHealth;
  counters: WorkCounters;
  /** Distinguishes this worker's leases from other processes'. */
  workerId?: string;
}

/**
 * Failures that a later attempt may not meet: the database busy or full, the disk failing, a connection
 * lost. PostgreSQL's SQLSTATEs: 08xxx a connection failing; 40001 and 40P01 a serialization failure or
 * deadlock that outlasted the transaction's own retries; 53xxx a full disk, no memory, too many
 * connections; 55P03 a lock not had in time; 57014 a statement cancelled or timed out; 57P01–57P03 the
 * server shutting down, restarting or not yet accepting connections.
 */
const TRANSIENT_CODES =
  /^(SQLITE_BUSY|SQLITE_LOCKED|SQLITE_FULL|SQLITE_IOERR)|^(ECONNRESET|ETIMEDOUT|ECONNREFUSED|EPIPE)$|^(08...|40001|40P01|53...|55P03|57014|57P0[1-3])$/;

/**
 * What the pg client says, without a code, when the server closed the connection under a query, or did not
 * answer a new one in time (a server that hangs).
 */
const CONNECTION_LOST =
  /^Connection terminated( unexpectedly| due to connection timeout)?$|^timeout exceeded when trying to connect$/;

/** A failure worth retrying later, as opposed to a bug. */
export function isTransient(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  return TRANSIENT_CODES.test(code ?? '') || CONNECTION_LOST.test(message ?? '');
}

/** How many times a batch is decided before edits that keep arriving fail the run. */
const DECISIONS_PER_BATCH = 5;

/** Thrown inside a batch transaction when the run was cancelled or taken over: rolls the batch back. */
class RunLost extends Error {}

/** A batch's writes, waiting for a transaction shared with other runs' batches. */
type BatchWrite = {
  work: (tx: Store) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
};

/** A migration claimed under a lease, and the name its lease is held under. */
type Claim = { migration: MeetingMigration; holder: string };

export type Engine = ReturnType<typeof createEngine>;

export function createEngine(deps: EngineDeps) {
  const { store, events, config, now, logger, health, counters } = deps;
  const workerId = deps.workerId ?? `worker-${randomUUID()}`;
  const running = new Set<Promise<void>>();
  let started = false;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let purgeTimer: NodeJS.Timeout | undefined;
  let ticking = false;
  let tickAgain = false;

  let claims = 0;

  const leaseUntil = () => new Date(now().getTime() + config.leaseSeconds * 1000);

  /**
   * The name a claim holds its lease under: this worker's id and the claim's number. A run whose lease
   * lapsed (a stalled event loop, a lost connection) may be claimed again by this same worker; the earlier
   * claim then holds nothing and stops at its next batch, as it would after another worker's takeover.
   */
  const nextLeaseHolder = () => `${workerId}#${++claims}`;

  /**
   * Keeps a claim's lease while its run works, also where no batch is written for a while (counting a
   * large user's meetings, a slow batch): every third of the lease, unless a batch renewed it since.
   */
  function keepLease(migrationId: number, holder: string) {
    let renewedByBatch = false;
    let lost = false;
    let renewing = false;
    const timer = setInterval(
      async () => {
        if (renewedByBatch || renewing) {
          renewedByBatch = false;
          return;
        }
        renewing = true;
        try {
          if (!(await store.engine.renewLease(migrationId, holder, leaseUntil()))) lost = true;
        } catch (error) {
          // The lease may lapse meanwhile; then another claim takes the run over and this one stops.
          if (!health.failed(error, 'renew a lease')) {
            logger.warn({ err: error }, `engine: could not renew the lease of migration ${migrationId}`);
          }
        } finally {
          renewing = false;
        }
      },
      (config.leaseSeconds * 1000) / 3,
    );
    timer.unref();
    return {
      /** The run was taken over or cancelled: its work would be refused. */
      get lost() {
        return lost;
      },
      renewedByBatch() {
        renewedByBatch = true;
      },
      stop() {
        clearInterval(timer);
      },
    };
  }
  type Lease = ReturnType<typeof keepLease>;

  async function tick(): Promise<void> {
    if (ticking) {
      tickAgain = true;
      return;
    }
    ticking = true;
    try {
      do {
        tickAgain = false;
        while (!stopping && running.size < config.concurrency) {
          const holder = nextLeaseHolder();
          const claimed = await store.engine.claimNext(holder, now(), leaseUntil());
          if (!claimed) break;
          launch({ migration: claimed, holder });
        }
      } while (tickAgain && !stopping);
      health.succeeded();
    } catch (error) {
      if (!health.failed(error, 'claim work')) logger.error({ err: error }, 'engine: could not claim work');
    } finally {
      ticking = false;
      schedule();
    }
  }

  /** Runs a claimed migration in a slot of its own; the run it claims as it ends takes the slot over. */
  function launch(claim: Claim) {
    events.migrationStateChanged(claim.migration);
    const run = execute(claim)
      .then(async (successor) => {
        if (!successor) return;
        if (!stopping) return launch(successor);
        // Stopping since the claim: let it go as a running one is (stop waits for this run, not for it).
        events.migrationStateChanged(successor.migration);
        await store.engine.release(successor.migration.id, successor.holder, now()).catch(() => {});
      })
      .finally(() => {
        running.delete(run);
        if (!stopping) void tick();
      });
    running.add(run);
  }

  /** Wakes at the next due time or after the poll interval, whichever comes first. */
  function schedule() {
    if (stopping) return;
    clearTimeout(timer);
    // Not unref'd: in a worker process this timer is what keeps the process alive.
    timer = setTimeout(() => void tick(), health.delay(config.pollMs));
  }

  /**
   * Runs a claimed migration; returns the run claimed in the transaction that ended it, if any (also when
   * what follows that commit fails: the claim is made).
   */
  async function execute({ migration, holder }: Claim): Promise<Claim | null> {
    const lease = keepLease(migration.id, holder);
    let successor: Claim | null = null;
    try {
      await runMigration(migration, holder, lease, (claimed) => {
        successor = claimed;
      });
    } catch (error) {
      if (error instanceof RunLost) {
        if (stopping) await store.engine.release(migration.id, holder, now()).catch(() => {});
      } else {
        await failOrRetry(migration, holder, error);
      }
    } finally {
      lease.stop();
    }
    return successor;
  }

  async function failOrRetry(migration: MeetingMigration, holder: string, error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    try {
      if (isTransient(error) && migration.retryCount < config.retryScheduleMs.length) {
        const wait = config.retryScheduleMs[migration.retryCount] ?? 0;
        const rescheduled = await store.engine.reschedule(
          migration.id,
          holder,
          new Date(now().getTime() + wait),
          `transient failure, retry ${migration.retryCount + 1} of ${config.retryScheduleMs.length}: ${message}`,
          now(),
        );
        if (rescheduled) events.migrationStateChanged(rescheduled);
        return;
      }
      if (!isTransient(error))
        logger.error({ err: error }, `engine: migration ${migration.correlationId} failed`);
      const lastMessage = isTransient(error)
        ? `gave up after ${config.retryScheduleMs.length} retries: ${message}`
        : 'an internal error stopped the migration; see the server log';
      const failed = await store.engine.finish(migration.id, holder, { state: 'FAILED', lastMessage }, now());
      if (failed) events.migrationStateChanged(failed);
    } catch (inner) {
      // The lease expires and the run is claimed again.
      if (!health.failed(inner, `record the failure of migration ${migration.correlationId}`)) {
        logger.error({ err: inner }, `engine: could not record the failure of ${migration.correlationId}`);
      }
    }
  }

  /** Batches waiting for the next shared transaction, and whether it is on its way. */
  const waitingBatches: BatchWrite[] = [];
  let sharedTransactionDue = false;

  /**
   * Writes a batch in a transaction of its own or, where runs share transactions (SQLite: one writer,
   * and a commit waits for the disk), in one with the batches of other runs that are ready by the time it
   * begins: one commit for several batches costs little more than one for one. There each batch runs in
   * a savepoint: one that throws is undone alone, and its run alone sees the error.
   */
  function writeBatch<T>(work: (tx: Store) => Promise<T>): Promise<T> {
    if (!store.engine.sharesTransactions) return store.transaction(work);
    return new Promise<T>((resolve, reject) => {
      waitingBatches.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (sharedTransactionDue) return;
      sharedTransactionDue = true;
      setImmediate(() => void writeShared());
    });
  }

  async function writeShared() {
    const shared: { batches?: BatchWrite[]; settled: PromiseSettledResult<unknown>[] } = { settled: [] };
    // Taken once the transaction has begun: batches that became ready while another held the database join.
    const take = () => {
      if (!shared.batches) {
        shared.batches = waitingBatches.splice(0);
        sharedTransactionDue = false;
      }
      return shared.batches;
    };
    try {
      await store.transaction(async (tx) => {
        shared.settled = [];
        for (const { work } of take()) {
          try {
            shared.settled.push({ status: 'fulfilled', value: await tx.engine.inSavepoint(() => work(tx)) });
          } catch (error) {
            if (error instanceof TransactionEnded) throw error.cause;
            shared.settled.push({ status: 'rejected', reason: error });
          }
        }
      });
    } catch (error) {
      // Nothing committed (the transaction did not begin, was ended, or its commit failed): every batch fails.
      for (const { reject } of take()) reject(error);
      return;
    }
    take().forEach(({ resolve, reject }, i) => {
      const result = shared.settled[i];
      if (result?.status === 'fulfilled') resolve(result.value);
      else reject(result?.reason);
    });
  }

  /**
   * Ends a run in the caller's transaction and, unless stopping, claims the next one in it where the
   * database allows (one commit instead of two).
   */
  async function endRun(tx: Store, claimed: MeetingMigration, holder: string, end: RunEnd) {
    const finished = await tx.engine.finish(claimed.id, holder, end, now());
    if (!finished) throw new RunLost();
    return { finished, successor: await claimSuccessor(tx) };
  }

  /** The run claimed in the transaction that ends another, where the database allows. */
  async function claimSuccessor(tx: Store): Promise<Claim | null> {
    if (stopping) return null;
    const holder = nextLeaseHolder();
    const next = await tx.engine.claimNextAlongside(holder, now(), leaseUntil());
    return next ? { migration: next, holder } : null;
  }

  async function runMigration(
    claimed: MeetingMigration,
    holder: string,
    lease: Lease,
    handOver: (successor: Claim) => void,
  ): Promise<void> {
    const [user] = await store.users.byIds(claimed.tenantId, [claimed.userId]);
    const [tenant] = await store.tenants.byIds([claimed.tenantId]);
    if (!user || !tenant) throw new Error(`migration ${claimed.correlationId} has no user or tenant`);
    const notEligible = ineligibility(user);
    if (notEligible) {
      const { finished, successor } = await writeBatch((tx) =>
        endRun(tx, claimed, holder, { state: 'FAILED', lastMessage: `not eligible: ${notEligible}` }),
      );
      events.migrationStateChanged(finished);
      if (successor) handOver(successor);
      return;
    }
    const numberIds = [user.defaultTollNumberId, user.defaultTollFreeNumberId].filter((id) => id !== null);
    const settings: RunSettings = {
      tenant,
      user,
      numbers: await store.bridges.numbersByIds(tenant.id, numberIds),
      sourceMeetingType: claimed.sourceMeetingType,
      targetMeetingType: claimed.targetMeetingType,
      maxParticipants: config.maxParticipants,
    };
    // Meetings that had ended when the run first started stay out, also after a resume.
    const cutoff = claimed.startedAt ?? now();
    const selected = (batch: CandidateMeeting[]) =>
      batch.filter((m) => !m.done && isSelected(m, claimed.sourceMeetingType));
    /** Visits the candidate meetings batch by batch; a short batch (maybe empty) is the last. */
    const eachBatch = async (
      visit: (batch: CandidateMeeting[], last: boolean) => Promise<void>,
      first?: CandidateMeeting[],
    ) => {
      let batch =
        first ?? (await store.engine.candidateMeetings(claimed.id, user.id, cutoff, 0, config.batchSize));
      for (;;) {
        // The driver is synchronous: without this, one run would hold the event loop (and every request,
        // and WebSocket keep-alive) until its last batch.
        await new Promise((resolve) => setImmediate(resolve));
        const last = batch.length < config.batchSize;
        await visit(batch, last);
        const lastMeeting = batch.at(-1);
        if (last || !lastMeeting) return;
        batch = await store.engine.candidateMeetings(
          claimed.id,
          user.id,
          cutoff,
          lastMeeting.id,
          config.batchSize,
        );
      }
    };

    // Count first, so progress has a total; a user whose meetings fit in one batch is read only once.
    const firstBatch = await store.engine.candidateMeetings(claimed.id, user.id, cutoff, 0, config.batchSize);
    // Results this run recorded before (a resumed run): its counters, written with them in each batch's
    // transaction and reset with them when its failed meetings are retried, count them.
    let total = claimed.succeededMeetings + claimed.failedMeetings + claimed.skippedMeetings;
    await eachBatch(async (batch) => {
      total += selected(batch).length;
    }, firstBatch);
    const oneBatch = firstBatch.length < config.batchSize ? firstBatch : undefined;

    /** Each meeting's outcome, with the rewrite and the attendees to tell for those UPDATED. */
    const decide = async (meetings: CandidateMeeting[]): Promise<MeetingOutcomeRecord[]> => {
      const decisions = meetings.map((meeting) => ({ meeting, decision: decideMeeting(meeting, settings) }));
      const updatedIds = decisions.filter((d) => d.decision.outcome === 'UPDATED').map((d) => d.meeting.id);
      const attendees = await store.meetings.attendeesOf(updatedIds);
      return decisions.map(({ meeting, decision }) => ({
        meetingId: meeting.id,
        outcome: decision.outcome,
        reason: decision.reason,
        rewrite:
          decision.outcome === 'UPDATED'
            ? {
                body: decision.body,
                overriddenOccurrences: decision.overriddenOccurrences,
                sequence: decision.sequence,
                onlineMeeting: decision.onlineMeeting,
                attendees: attendees.get(meeting.id) ?? [],
              }
            : undefined,
      }));
    };
    /**
     * Meetings an organizer edited after they were read are read again and decided anew: the rewrites
     * decided before would have replaced the edit. One that is no longer a candidate is skipped.
     */
    const decideAgain = async (outcomes: MeetingOutcomeRecord[], changedIds: number[]) => {
      const changed = new Set(changedIds);
      const low = Math.min(...changedIds);
      const high = Math.max(...changedIds);
      const fresh = await store.engine.candidateMeetings(
        claimed.id,
        user.id,
        cutoff,
        low - 1,
        high - low + 1,
      );
      const redone = new Map(
        (await decide(fresh.filter((meeting) => changed.has(meeting.id)))).map((o) => [o.meetingId, o]),
      );
      return outcomes.map(
        (outcome): MeetingOutcomeRecord =>
          redone.get(outcome.meetingId) ??
          (changed.has(outcome.meetingId)
            ? {
                meetingId: outcome.meetingId,
                outcome: 'SKIPPED',
                reason: 'changed during the run and no longer due',
              }
            : outcome),
      );
    };

    /** Failed meetings recorded so far (counted with the results, in the same transactions). */
    let failedMeetings = claimed.failedMeetings;
    await eachBatch(async (batch, last) => {
      if (stopping || lease.lost) throw new RunLost();
      const todo = selected(batch);
      if (todo.length === 0 && !last) return;
      let outcomes = await decide(todo);
      // The last batch ends the run in the same transaction: its results, the final state and the reasons
      // of failed meetings commit together.
      const write = () =>
        writeBatch(async (tx) => {
          const failed = failedMeetings + outcomes.filter((o) => o.outcome === 'FAILED').length;
          // A run without failed meetings ends in its last batch's own statement; one with them reads their
          // reasons first.
          const succeeded: RunEnd | undefined =
            last && failed === 0
              ? { state: 'SUCCEEDED', lastMessage: null, totalMeetings: total }
              : undefined;
          const run = { migration: claimed, holder, totalMeetings: total };
          const recorded =
            outcomes.length > 0
              ? await tx.engine.recordBatch(run, outcomes, leaseUntil(), now(), succeeded)
              : null;
          if (outcomes.length > 0 && !recorded) throw new RunLost();
          if (!last) return { recorded, ended: null };
          if (recorded && succeeded) {
            return { recorded, ended: { finished: recorded.migration, successor: await claimSuccessor(tx) } };
          }
          const reasons =
            (recorded?.migration.failedMeetings ?? failed) > 0
              ? await tx.engine.failureReasons(claimed.id)
              : [];
          const failedCount = reasons.reduce((sum, r) => sum + r.meetings, 0);
          const end: RunEnd =
            reasons.length > 0
              ? {
                  state: 'FAILED',
                  lastMessage: `${failedCount} meetings failed: ${reasons.map((r) => `${r.reason} (${r.meetings})`).join('; ')}`,
                  totalMeetings: total,
                }
              : { state: 'SUCCEEDED', lastMessage: null, totalMeetings: total };
          return { recorded, ended: await endRun(tx, claimed, holder, end) };
        });
      let written: Awaited<ReturnType<typeof write>>;
      for (let attempt = 1; ; attempt++) {
        try {
          written = await write();
          break;
        } catch (error) {
          if (!(error instanceof MeetingsChangedError) || attempt >= DECISIONS_PER_BATCH) throw error;
          outcomes = await decideAgain(outcomes, error.meetingIds);
        }
      }
      if (written.recorded) {
        const rewritten = outcomes.filter((outcome) => outcome.rewrite);
        counters.meetingsRewritten(rewritten.length);
        counters.invitationUpdates(
          'queued',
          rewritten.reduce((sum, outcome) => sum + (outcome.rewrite?.attendees.length ?? 0), 0),
        );
        lease.renewedByBatch();
        failedMeetings = written.recorded.migration.failedMeetings;
        // The state change of the last batch carries its counters.
        if (!written.ended) events.migrationProgressed(written.recorded.migration);
      }
      if (written.ended) {
        events.migrationStateChanged(written.ended.finished);
        if (written.ended.successor) handOver(written.ended.successor);
      }
      if (written.recorded && written.recorded.supersededIn.length > 0) {
        events.invitationsCounted(await store.migrations.byIds(null, written.recorded.supersededIn));
      }
    }, oneBatch);
  }

  /** Deletes migration records past the retention period. */
  async function purgeExpired() {
    const cutoff = new Date(now().getTime() - config.retentionDays * 86_400_000);
    // A transaction: the results and outbox of a purged migration go with it, or nothing goes.
    return store.transaction((tx) => tx.migrations.purgeOlderThan(cutoff));
  }

  function purgeNowAndLater() {
    purgeExpired().catch((error) => {
      if (!health.failed(error, 'purge expired records')) {
        logger.error({ err: error }, 'engine: could not purge expired records');
      }
    });
    purgeTimer = setTimeout(purgeNowAndLater, PURGE_INTERVAL_MS);
    purgeTimer.unref();
  }

  return {
    workerId,
    purgeExpired,
    /** Between start and stop: claiming and running migrations. */
    get isRunning() {
      return started && !stopping;
    },
    start() {
      started = true;
      stopping = false;
      purgeNowAndLater();
      void tick();
    },
    /** Looks for due work now (a migration was just queued, for instance). */
    wake() {
      if (!stopping) void tick();
    },
    /** Stops claiming; running migrations stop at their next batch boundary and are reclaimed later. */
    async stop() {
      stopping = true;
      clearTimeout(timer);
      clearTimeout(purgeTimer);
      await Promise.allSettled([...running]);
    },
  };
}
