/** Records a trigger: applies the §3 gates, then starts, merges or queues a migration (§4.1). */
import { randomUUID } from 'node:crypto';
import type { MeetingMigration, Tenant, TriggerEvaluation, User } from '../domain/model.ts';
import { decideTrigger, describeOutcome, type ProposedTrigger, planMigration } from '../domain/triggers.ts';
import type { Store } from '../storage/store.ts';
import { announceMigrations, type ServiceDeps } from './deps.ts';

export interface TriggerRecord {
  evaluation: TriggerEvaluation;
  migration: MeetingMigration | null;
}

/** Must run inside the transaction that made the change, so the change and its outcome commit together. */
export async function recordTrigger(
  tx: Store,
  deps: Pick<ServiceDeps, 'config'>,
  now: Date,
  tenant: Tenant,
  user: User | null,
  trigger: ProposedTrigger,
): Promise<TriggerRecord> {
  const base = {
    tenantId: tenant.id,
    userId: user?.id ?? null,
    kind: trigger.kind,
    detail: trigger.detail,
    occurredAt: now,
  };
  const decision = decideTrigger(trigger, tenant, user);
  if (!decision.start || !user) {
    const reason = decision.start ? 'no user to migrate' : decision.reason;
    const evaluation = await tx.migrations.insertTriggerEvaluation({
      ...base,
      outcome: 'IGNORED',
      message: describeOutcome('IGNORED', null, reason),
      migrationId: null,
    });
    return { evaluation, migration: null };
  }
  await tx.users.holdForTrigger(user.id);
  const existing = await tx.migrations.openForUser(user.id);
  const plan = planMigration(decision.request, existing, {
    now,
    holdSeconds: deps.config.holdSeconds,
    manual: trigger.manual === true,
  });
  let migration: MeetingMigration;
  let outcome: TriggerEvaluation['outcome'];
  if (plan.action === 'merge') {
    migration = await tx.migrations.update(
      plan.migrationId,
      { ...plan.request, notBefore: plan.notBefore },
      now,
    );
    outcome = 'MERGED';
  } else {
    migration = await tx.migrations.insert(
      {
        correlationId: randomUUID(),
        tenantId: tenant.id,
        userId: user.id,
        ...plan.request,
        notBefore: plan.notBefore,
      },
      now,
    );
    outcome = plan.outcome;
  }
  const evaluation = await tx.migrations.insertTriggerEvaluation({
    ...base,
    outcome,
    message: describeOutcome(outcome, migration),
    migrationId: migration.id,
  });
  return { evaluation, migration };
}

/** Tells subscribers and the engine what a committed transaction's triggers came to. */
export function announceTriggers(deps: ServiceDeps, records: TriggerRecord[]): void {
  for (const record of records) deps.events.triggerEvaluated(record.evaluation);
  announceMigrations(
    deps,
    records.map((record) => record.migration),
  );
}
