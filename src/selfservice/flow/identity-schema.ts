/**
 * `?identity_schema=` on login and registration init, as Kratos: a flow may use another
 * configured identity schema than `identity.default_schema_id`, when that schema is marked
 * `selfservice_selectable`. Registration builds its form from it and gives the new identity that
 * `schema_id`; login takes its identifier label from it. The flow's JSON says which one in
 * `identity_schema` (left out when none was asked for).
 */

import type { JsonObject } from '../../identity/model.js';
import { badRequest, internalError } from '../../kernel/errors.js';
import type { SelfServiceFlow } from './flow.js';

/** The configured identity schemas, as self-service flows see them. */
export interface FlowSchemas {
  readonly defaultId: string;
  /** The schema's document, or undefined when no schema has this id. */
  document(id: string): JsonObject | undefined;
  /** Whether `?identity_schema=` may name it (`selfservice_selectable`, or the default). */
  selectable(id: string): boolean;
}

/** Where a flow keeps the schema asked for, among its server-side state. */
const INTERNAL_KEY = 'identity_schema';

/**
 * The schema a new flow asked for, checked: undefined when none was asked for (the default
 * applies); 400 when no schema has the id or it may not be selected, so a client cannot sign
 * people up under an internal schema (an admin-only `employee`, say).
 */
export function requestedFlowSchema(schemas: FlowSchemas, requested: string | undefined): string | undefined {
  if (requested === undefined || requested === '') return undefined;
  if (schemas.document(requested) === undefined) {
    throw badRequest(`The identity schema "${requested}" does not exist.`);
  }
  if (!schemas.selectable(requested)) {
    throw badRequest(`The identity schema "${requested}" can not be selected in self-service flows.`);
  }
  return requested;
}

/** The flow's internal state that records the schema asked for (nothing when none was). */
export function flowSchemaState(identitySchema: string | undefined): Record<string, string> {
  return identitySchema === undefined ? {} : { [INTERNAL_KEY]: identitySchema };
}

/** The schema the flow asked for, or undefined when it uses the default. */
export function askedFlowSchema(flow: SelfServiceFlow): string | undefined {
  const id = flow.internal[INTERNAL_KEY];
  return typeof id === 'string' ? id : undefined;
}

/** The id and document of the schema the flow uses. */
export function flowSchema(
  schemas: FlowSchemas,
  identitySchema: string | undefined,
): { id: string; document: JsonObject } {
  const id = identitySchema ?? schemas.defaultId;
  const document = schemas.document(id);
  // A flow started before a restart whose config dropped the schema, or stopped offering it.
  if (document === undefined) throw internalError(`The identity schema "${id}" is not configured.`);
  if (!schemas.selectable(id)) {
    throw badRequest(`The identity schema "${id}" can not be selected in self-service flows.`);
  }
  return { id, document };
}
