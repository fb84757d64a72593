/**
 * The identifier-first login's steps (`selfservice.flows.login.style: identifier_first`), as
 * Kratos's idfirst strategy: `method=identifier_first` with the identifier looks the account up
 * and answers the credentials step (identifier hidden, the account's methods); the password step
 * itself is the password method's usual submit. Without
 * `security.account_enumeration.mitigate` an unknown identifier is told (4000037), as Kratos
 * tells it; with it, every identifier gets the password step.
 */

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Identity } from '../../identity/model.js';
import { normalizeIdentifierGraceful } from '../../identity/schema/index.js';
import { hasUsablePassword } from '../../identity/usable-password.js';
import { refreshCsrfNode } from '../flow/csrf-node.js';
import type { SelfServiceFlow } from '../flow/flow.js';
import { askedFlowSchema } from '../flow/identity-schema.js';
import { Msg, type UiText, uiText } from '../flow/messages.js';
import { csrfNode, type UiNode } from '../flow/ui.js';
import { IDENTIFIER_FIRST, withNodeMessages, withoutNodeMessages, withValues } from '../nodes/index.js';
import { linkedProviders } from '../strategies/oidc/credentials.js';
import type { IdentifierFirstDeps, LoginDeps } from './deps.js';
import { loginFormNodes } from './flow.js';
import { showLoginFormAgain } from './form-again.js';

/** `POST /self-service/login` with `method=identifier_first`. */
export async function submitIdentifier(
  deps: LoginDeps,
  identifierFirst: IdentifierFirstDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  input: { identifier: string; csrf: string | undefined },
): Promise<FastifyReply> {
  const schema = askedFlowSchema(flow);
  const answer = (active: string, nodes: UiNode[], messages?: UiText[]) =>
    showLoginFormAgain(deps, request, reply, flow, { nodes, messages }, active);
  const identifyAgain = (fields: Record<string, UiText[]>, messages?: UiText[]) =>
    answer(
      IDENTIFIER_FIRST,
      withNodeMessages(loginFormNodes(deps, schema, input.csrf, input.identifier), fields),
      messages,
    );

  if (input.identifier.trim() === '') {
    return identifyAgain({ identifier: [uiText(Msg.ErrorValidationRequired, { property: 'identifier' })] });
  }
  const identity = await deps.identities.findByCredentialIdentifier(
    'password',
    normalizeIdentifierGraceful(input.identifier),
  );
  // A switched-off password method adds no credentials, as Kratos asks only enabled strategies.
  const withPassword =
    deps.config.password.enabled &&
    (identifierFirst.mitigateEnumeration || (identity !== undefined && hasUsablePassword(identity)));
  const providers = providerNodes(deps, identity, identifierFirst.mitigateEnumeration);
  if (!withPassword && providers.length === 0) {
    return identifyAgain({}, [uiText(Msg.ErrorValidationAccountNotFound)]);
  }
  const nodes = [
    ...providers,
    ...(input.csrf === undefined ? [] : [csrfNode(input.csrf)]),
    ...identifierFirst.credentialNodes(schema, input.identifier, withPassword),
  ];
  return answer(IDENTIFIER_FIRST, nodes);
}

/**
 * The form after a failed step of an identifier-first flow (a refused password, a provider that
 * failed): as Kratos's strategies write their errors, the flow's own nodes (the credentials step
 * keeps its hidden identifier and the account's providers), with the identifier as typed when
 * one was, a fresh CSRF token and no old messages. Rebuilding the form would show step 1 again.
 */
export function retainedLoginNodes(
  flow: SelfServiceFlow,
  csrf: string | undefined,
  identifier?: string,
): UiNode[] {
  const cleared = withoutNodeMessages(flow.ui.nodes);
  const filled = identifier === undefined ? cleared : withValues(cleared, { identifier });
  return csrf === undefined ? filled : refreshCsrfNode(filled, csrf);
}

/**
 * The login form shown again after a failed step (a refused password, a failed provider): an
 * identifier-first flow keeps the step it is on, and a refresh keeps the form built for the
 * session's identity (see retainedLoginNodes; Kratos's password handleLoginError resets the
 * password group and writes the identifier back into the flow's own nodes); a unified form is
 * built afresh, with `identifier` filled in when given.
 */
export function loginFormAgain(
  deps: LoginDeps,
  flow: SelfServiceFlow,
  csrf: string | undefined,
  identifier?: string,
): UiNode[] {
  return deps.identifierFirst || flow.refresh
    ? retainedLoginNodes(flow, csrf, identifier)
    : loginFormNodes(deps, askedFlowSchema(flow), csrf, identifier);
}

/**
 * The provider buttons of the credentials step: the account's linked providers only, as Kratos;
 * every provider when enumeration is mitigated (the buttons then say nothing about the account).
 */
function providerNodes(deps: LoginDeps, identity: Identity | undefined, mitigate: boolean): UiNode[] {
  const all = deps.oidc?.loginNodes() ?? [];
  if (mitigate) return all;
  const linked = new Set(identity === undefined ? [] : linkedProviders(identity).map((p) => p.provider));
  return all.filter((node) => linked.has(String((node.attributes as { value?: unknown }).value)));
}
