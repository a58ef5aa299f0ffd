/** Assembles the GraphQL schema from the builder and every type and mutation module. */
import { builder, registerNodeTypes } from './builder.ts';
import { checkInputLimitsDeclared } from './input-limits.ts';
import './common.ts';
import './types/bridge.ts';
import './types/invitation-update.ts';
import './types/meeting.ts';
import './types/meeting-migration.ts';
import './types/operator-token.ts';
import './types/preview.ts';
import './types/root.ts';
import './types/subscriptions.ts';
import './types/tenant.ts';
import './types/trigger-evaluation.ts';
import './types/user.ts';
import './mutations/bulk.ts';
import './mutations/meetings.ts';
import './mutations/tenancy.ts';
import './mutations/user-commands.ts';

/** Pothos sorts the schema, so the printed file is stable. */
export const schema = builder.toSchema();
registerNodeTypes(schema);
checkInputLimitsDeclared(schema);
