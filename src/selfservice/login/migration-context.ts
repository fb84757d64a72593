/**
 * What the password migration hook's body template sees beside `identifier` and `password`, as
 * the newest Kratos gives it (hook/password_migration_hook.go, templateContext): the login flow
 * (with the submission's `transient_payload`, which Kratos sets on the flow first), the identity
 * signing in, and the request.
 */
import type { FastifyRequest } from 'fastify';
import type { Identity, JsonObject } from '../../identity/model.js';
import { serializeIdentity } from '../../identity/serialize.js';
import type { SelfServiceFlow } from '../flow/flow.js';
import { publicRequestUrl } from '../flow/request-url.js';
import { serializeFlow } from '../flow/serialize.js';
import { requestFacts } from '../hooks/web-hook/context.js';
import type { MigrationContextFor } from '../strategies/password/login.js';
import type { LoginDeps } from './deps.js';

/**
 * Unlike the flows' web hooks, Kratos hands this hook the request's headers unfiltered (no
 * `clients.web_hook.header_allowlist`); Go keeps the Host header out of them.
 */
function allHeaderNames(request: FastifyRequest): string[] {
  return Object.keys(request.headers).filter((name) => name.toLowerCase() !== 'host');
}

export function migrationContextFor(
  deps: Pick<LoginDeps, 'publicBase' | 'schemaUrl'>,
  request: FastifyRequest,
  flow: SelfServiceFlow,
  /** The submission's `transient_payload`, read only when a template asks for the context. */
  transientPayload: () => JsonObject | undefined,
): MigrationContextFor {
  return (identity: Identity) => {
    const flowJson = serializeFlow(flow);
    const payload = transientPayload();
    if (payload !== undefined) flowJson.transient_payload = payload;
    return {
      flow: flowJson,
      identity: serializeIdentity(identity, { admin: true, schemaUrl: deps.schemaUrl(identity.schema_id) }),
      ...requestFacts(request, publicRequestUrl(request, deps.publicBase), allHeaderNames(request)),
    };
  };
}
