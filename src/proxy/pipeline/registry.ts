import { anonymousAuthenticator } from './authn/authn-anonymous.js';
import { bearerTokenAuthenticator } from './authn/authn-bearer-token.js';
import { cookieSessionAuthenticator } from './authn/authn-cookie-session.js';
import { jwtAuthenticator } from './authn/authn-jwt.js';
import { noopAuthenticator } from './authn/authn-noop.js';
import { oauth2ClientCredentialsAuthenticator } from './authn/authn-oauth2-client-credentials.js';
import { oauth2IntrospectionAuthenticator } from './authn/authn-oauth2-introspection.js';
import { unauthorizedAuthenticator } from './authn/authn-unauthorized.js';
import { allowAuthorizer } from './authz/authz-allow.js';
import { denyAuthorizer } from './authz/authz-deny.js';
import { remoteAuthorizer } from './authz/authz-remote.js';
import { remoteJsonAuthorizer } from './authz/authz-remote-json.js';
import { jsonErrorHandler } from './errors/errors-json.js';
import { redirectErrorHandler } from './errors/errors-redirect.js';
import { wwwAuthenticateErrorHandler } from './errors/errors-www-authenticate.js';
import type { Authenticator, Authorizer, ErrorHandler, Mutator } from './handler.js';
import { cookieMutator } from './mutate/mutate-cookie.js';
import { headerMutator } from './mutate/mutate-header.js';
import { hydratorMutator } from './mutate/mutate-hydrator.js';
import { idTokenMutator } from './mutate/mutate-id-token.js';
import { noopMutator } from './mutate/mutate-noop.js';

/** Every handler by kind and id. Handlers are registered here and nowhere else. */
export interface HandlerRegistry {
  authenticators: ReadonlyMap<string, Authenticator>;
  authorizers: ReadonlyMap<string, Authorizer>;
  mutators: ReadonlyMap<string, Mutator>;
  errors: ReadonlyMap<string, ErrorHandler>;
}

function byId<H extends { id: string }>(handlers: H[]): ReadonlyMap<string, H> {
  return new Map(handlers.map((h) => [h.id, h]));
}

/** Each handler's config type is private to it; the registry erases it (prepare and handle stay paired). */
export function defaultRegistry(): HandlerRegistry {
  return {
    authenticators: byId<Authenticator>([
      noopAuthenticator,
      anonymousAuthenticator,
      unauthorizedAuthenticator,
      cookieSessionAuthenticator,
      bearerTokenAuthenticator,
      jwtAuthenticator,
      oauth2IntrospectionAuthenticator,
      oauth2ClientCredentialsAuthenticator,
    ] as Authenticator[]),
    authorizers: byId<Authorizer>([
      allowAuthorizer,
      denyAuthorizer,
      remoteAuthorizer,
      remoteJsonAuthorizer,
    ] as Authorizer[]),
    mutators: byId<Mutator>([
      noopMutator,
      headerMutator,
      cookieMutator,
      idTokenMutator,
      hydratorMutator,
    ] as Mutator[]),
    errors: byId<ErrorHandler>([
      jsonErrorHandler,
      redirectErrorHandler,
      wwwAuthenticateErrorHandler,
    ] as ErrorHandler[]),
  };
}
