import { OPERATOR_TOKEN_STATES, type OperatorToken, operatorTokenState } from '../../domain/model.ts';
import { builder } from '../builder.ts';
import { tenantFilterOf } from '../context.ts';
import { loadInOrder } from '../loaders.ts';

export const OperatorTokenStateEnum = builder.enumType('OperatorTokenState', {
  values: OPERATOR_TOKEN_STATES,
});

export const OperatorTokenNode = builder.loadableNodeRef<OperatorToken, string | number>('OperatorToken', {
  id: { resolve: (token) => token.id },
  load: (keys, context) =>
    loadInOrder(keys, (ids) =>
      context.services.store.tokens.operatorTokensByIds(tenantFilterOf(context), ids),
    ),
});

OperatorTokenNode.implement({
  description:
    'An operator API token of one tenant. The token itself is shown once, when created or rotated.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Who or what the token is for.' }),
    state: t.field({
      type: OperatorTokenStateEnum,
      resolve: (token, _args, context) => operatorTokenState(token, context.services.now()),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    expiresAt: t.expose('expiresAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Refused from this instant on; null: valid until revoked.',
    }),
    lastUsedAt: t.expose('lastUsedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'The last request or WebSocket it authenticated, to the minute; null: never used.',
    }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});
