import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Identity } from '../../../identity/model.js';
import { noActiveSession } from '../../../session/errors.js';
import type { SelfServiceFlow } from '../../flow/flow.js';
import { wantsJson } from '../../flow/http-context.js';
import { Msg, uiText } from '../../flow/messages.js';
import type { Submission } from '../../flow/submission.js';
import { NeedsPrivilegedSessionError } from '../../settings/errors.js';
import { flowIdentityId } from '../../settings/flow.js';
import { currentSession, isPrivileged, loginUrl, reauthenticationUrl } from '../../settings/session.js';
import {
  currentIdentityBody,
  type SettingsChange,
  type SettingsSubmission,
} from '../../settings/strategy.js';
import {
  refuseFlowOfAnotherIdentity,
  refuseSettingsChange,
  saveSettingsChange,
} from '../../settings/submit.js';
import { redirectToProvider } from './authorize.js';
import type { ProviderAccount } from './claims.js';
import type { ProviderClient } from './client.js';
import { linkedProviders, oidcIdentifier, signInMethodCount, withLinkedProvider } from './credentials.js';
import type { OidcDeps } from './deps.js';
import { OidcFailure } from './errors.js';
import { failOnFlow } from './flow-failure.js';

/** `method=oidc`, or a `link` / `unlink` button posted without a method (as the UI does). */
export function isOidcSettingsSubmission(submission: Submission): boolean {
  const link = submission.field('link') ?? submission.field('unlink');
  return (
    submission.method === 'oidc' || (submission.method === undefined && link !== undefined && link !== '')
  );
}

export type OidcSettingsOutcome =
  /** The browser was sent to the provider (linking finishes at the callback). */
  { kind: 'answered'; reply: FastifyReply } | { kind: 'change'; change: SettingsChange };

function invalid(reason: string): OidcSettingsOutcome {
  return {
    kind: 'change',
    change: { kind: 'invalid', fields: {}, messages: [uiText(Msg.ErrorValidationGeneric, { reason })] },
  };
}

/**
 * Settings with `link=<provider>` (sent to the provider, linked at the callback) or
 * `unlink=<provider>`, never both (as Kratos: 4000001). Both need a privileged session; unlinking
 * never removes the identity's last way to sign in. As Kratos's unlinkProvider, an unlink asks
 * for the session's age first, before it looks at the provider.
 */
export async function changeOidcLinks(
  deps: OidcDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  input: SettingsSubmission,
): Promise<OidcSettingsOutcome> {
  const { identity, submission } = input;
  const link = submission.field('link') ?? '';
  const unlink = submission.field('unlink') ?? '';
  const linked = linkedProviders(identity);
  if (link !== '' && unlink !== '') return invalid(LINK_AND_UNLINK);
  if (link !== '') {
    const client = deps.clients.get(link);
    if (!client) return invalid(`The provider "${link}" is unknown.`);
    if (linked.some((p) => p.provider === link)) return invalid(`The provider "${link}" is linked already.`);
    if (!(await input.privileged())) return { kind: 'change', change: { kind: 'needs_privilege' } };
    try {
      // Kratos's initLinkProvider puts no transient payload in the container: the link's hooks,
      // run at the callback, get none.
      const submitted = { upstreamParameters: {}, transientPayload: undefined };
      return {
        kind: 'answered',
        reply: await redirectToProvider(deps, request, reply, flow, client, submitted),
      };
    } catch (error) {
      if (error instanceof OidcFailure)
        return { kind: 'answered', reply: await failOnFlow(deps, request, reply, flow, error) };
      throw error;
    }
  }
  if (unlink === '') return invalid('Name a provider to link or unlink.');
  if (!(await input.privileged())) return { kind: 'change', change: { kind: 'needs_privilege' } };
  if (!linked.some((p) => p.provider === unlink)) return invalid(`The provider "${unlink}" is not linked.`);
  if (signInMethodCount(identity) <= 1) {
    return invalid(`The provider "${unlink}" is your only way to sign in, so it cannot be unlinked.`);
  }
  return {
    kind: 'change',
    change: {
      kind: 'update',
      body: {
        ...currentIdentityBody(identity),
        credentials: { oidc: { config: { providers: linked.filter((p) => p.provider !== unlink) } } },
      },
    },
  };
}

/** Kratos's message when a submission names both a provider to link and one to unlink. */
const LINK_AND_UNLINK = 'it is not possible to link and unlink providers in the same request';

/**
 * The provider came back to a settings flow: its account is linked to the signed-in identity,
 * as Kratos's linkProvider, once more checked here: the session must still be privileged
 * (else `session_refresh_required`, as when the link started), the provider still not linked
 * to the identity (another tab may have linked it meanwhile), and the account not another
 * identity's (4000027).
 */
export async function completeOidcLink(
  deps: OidcDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  client: ProviderClient,
  account: ProviderAccount,
): Promise<FastifyReply> {
  const settings = deps.settings;
  const session = await currentSession(settings, request);
  if (!session) {
    if (!wantsJson(request)) return reply.redirect(loginUrl(settings), 303);
    throw noActiveSession();
  }
  if (flowIdentityId(flow) !== session.session.identityId)
    return refuseFlowOfAnotherIdentity(settings, request, reply, flow, session);
  // The privileged session was checked when the link started; the sign-in at the provider may
  // have taken until after it lapsed.
  if (!(await isPrivileged(settings, session.session.id))) {
    const url = reauthenticationUrl(settings, flow);
    if (flow.type === 'browser' && !wantsJson(request)) return reply.redirect(url, 303);
    throw new NeedsPrivilegedSessionError(url);
  }
  const identity: Identity = await settings.identities.get(session.session.identityId);
  const context = { flow, identity, method: 'oidc' as const };
  if (linkedProviders(identity).some((p) => p.provider === client.config.id)) {
    return refuseSettingsChange(settings, request, reply, context, {
      kind: 'invalid',
      fields: {},
      messages: [
        uiText(Msg.ErrorValidationGeneric, {
          reason: `The provider "${client.config.id}" is linked already.`,
        }),
      ],
    });
  }
  const owner = await deps.login.identities.findByCredentialIdentifier(
    'oidc',
    oidcIdentifier(client.config.id, account.claims.sub),
  );
  if (owner !== undefined && owner.id !== identity.id) {
    return refuseSettingsChange(settings, request, reply, context, {
      kind: 'invalid',
      fields: {},
      messages: [uiText(Msg.ErrorValidationDuplicateCredentialsOnOIDCLink)],
    });
  }
  if (owner !== undefined) {
    return failOnFlow(
      deps,
      request,
      reply,
      flow,
      new OidcFailure('claims', 'This account is linked already.'),
    );
  }
  return saveSettingsChange(
    settings,
    request,
    reply,
    { ...context, session, transientPayload: undefined },
    {
      ...currentIdentityBody(identity),
      credentials: withLinkedProvider(identity, {
        provider: client.config.id,
        subject: account.claims.sub,
        ...(account.tokens === undefined ? {} : { tokens: account.tokens }),
      }),
    },
  );
}
