import type { TriggerEvaluation } from '../../domain/model.ts';
import { builder } from '../builder.ts';
import { TriggerKindEnum, TriggerOutcomeEnum } from '../common.ts';
import { tenantFilterOf } from '../context.ts';
import { loadInOrder } from '../loaders.ts';
import { MeetingMigrationNode } from './meeting-migration.ts';
import { UserNode } from './user.ts';

export const TriggerEvaluationNode = builder.loadableNodeRef<TriggerEvaluation, string | number>(
  'TriggerEvaluation',
  {
    id: { resolve: (evaluation) => evaluation.id },
    load: (keys, context) =>
      loadInOrder(keys, (ids) =>
        context.services.store.migrations.triggerEvaluationsByIds(tenantFilterOf(context), ids),
      ),
  },
);

TriggerEvaluationNode.implement({
  description: 'A change that may start a migration, and what came of it — so an admin can always see why.',
  fields: (t) => ({
    kind: t.field({ type: TriggerKindEnum, resolve: (evaluation) => evaluation.kind }),
    detail: t.exposeString('detail', { description: 'What changed.' }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
    outcome: t.field({ type: TriggerOutcomeEnum, resolve: (evaluation) => evaluation.outcome }),
    message: t.exposeString('message', {
      description: 'The outcome in words, such as "merged into pending migration …".',
    }),
    user: t.field({ type: UserNode, nullable: true, resolve: (evaluation) => evaluation.userId }),
    meetingMigration: t.field({
      type: MeetingMigrationNode,
      nullable: true,
      resolve: (evaluation) => evaluation.migrationId,
    }),
  }),
});
