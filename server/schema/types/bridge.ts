import type { Bridge, BridgeNumber } from '../../domain/model.ts';
import { builder } from '../builder.ts';
import { byId, loadedConnection } from '../common.ts';
import { tenantFilterOf } from '../context.ts';
import { groupBy, groupedLoader, loadInOrder } from '../loaders.ts';

export const BridgeNode = builder.loadableNodeRef<Bridge, string | number>('Bridge', {
  id: { resolve: (bridge) => bridge.id },
  load: (keys, context) =>
    loadInOrder(keys, (ids) => context.services.store.bridges.byIds(tenantFilterOf(context), ids)),
});

export const BridgeNumberNode = builder.loadableNodeRef<BridgeNumber, string | number>('BridgeNumber', {
  id: { resolve: (number) => number.id },
  load: (keys, context) =>
    loadInOrder(keys, (ids) => context.services.store.bridges.numbersByIds(tenantFilterOf(context), ids)),
});

const bridgeNumbers = groupedLoader(async (ids, context) =>
  groupBy(await context.services.store.bridges.numbersOfBridges(ids), (number) => number.bridgeId),
);

BridgeNode.implement({
  description: 'An audio conferencing bridge and its dial-in numbers.',
  fields: (t) => ({
    name: t.exposeString('name'),
    isDefault: t.exposeBoolean('isDefault', {
      description: 'Users who get a license are placed on this bridge.',
    }),
    numbers: t.connection({
      type: BridgeNumberNode,
      resolve: (bridge, args, context) =>
        loadedConnection(args, bridgeNumbers(context).load(bridge.id), byId('asc')),
    }),
  }),
});

BridgeNumberNode.implement({
  description: 'A phone number on a bridge.',
  fields: (t) => ({
    number: t.exposeString('number', { description: 'E.164.' }),
    tollFree: t.exposeBoolean('tollFree'),
    city: t.exposeString('city'),
    country: t.exposeString('country', { description: 'ISO 3166 alpha-2.' }),
    language: t.exposeString('language'),
    bridge: t.field({ type: BridgeNode, resolve: (number) => number.bridgeId }),
  }),
});
