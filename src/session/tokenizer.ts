/**
 * Kratos's session tokenizer (`GET /sessions/whoami?tokenize_as=<template>`): the session as a
 * JWT signed with the template's key, for services that want a token rather than a cookie.
 * Claims as Kratos sets them — `jti`, `iss` (the public base URL), `exp` (now + ttl), `sid`,
 * `nbf`, `iat`, and `sub` (the identity's id or external id) — then, with a claims mapper, the
 * `claims` object its Jsonnet returns from `std.extVar('session')` and `std.extVar('claims')`
 * laid over them, `sub` set again last.
 */

import { randomUUID } from 'node:crypto';
import type { TokenizeTemplate } from '../config/areas/session-tokenizer.js';
import type { JsonObject } from '../identity/model.js';
import { type JsonnetEvaluator, outcomeFailure } from '../jsonnet/index.js';
import { badRequest, internalError } from '../kernel/errors.js';
import { isRecord } from '../kernel/json.js';
import type { Logger } from '../kernel/logger.js';
import { NoSigningKeyError, type SigningKey, signJwt } from '../proxy/jwks/store.js';

export interface SessionTokenizerDeps {
  templates: ReadonlyMap<string, TokenizeTemplate>;
  /** `serve.public.base_url`, Kratos's `iss`. */
  issuer: string;
  /** The first signing key of a key set (cached by the caller). */
  signingKey(jwksUrl: string): Promise<SigningKey>;
  /** Reads a claims mapper (`file://`, `base64://`, `http(s)://`). */
  loadMapper(url: string): Promise<string>;
  jsonnet: JsonnetEvaluator;
  /** Where a failing mapper's Jsonnet error goes: the 400 only says that it failed, as Kratos's. */
  logger: Pick<Logger, 'warn'>;
  now?: () => Date;
}

export interface SessionTokenizer {
  /** The session (whoami's JSON) as a JWT under `template`; Kratos's errors otherwise. */
  tokenize(template: string, session: JsonObject): Promise<string>;
}

function subjectOf(session: JsonObject, source: TokenizeTemplate['subjectSource']): string {
  const identity = isRecord(session.identity) ? session.identity : {};
  if (source === 'id') return String(identity.id ?? '');
  if (typeof identity.external_id !== 'string' || identity.external_id === '') {
    throw badRequest(
      "The session's identity does not have an external ID set, but it is required for the subject claim.",
    );
  }
  return identity.external_id;
}

export function createSessionTokenizer(deps: SessionTokenizerDeps): SessionTokenizer {
  const now = deps.now ?? (() => new Date());

  async function keyFor(jwksUrl: string): Promise<SigningKey> {
    try {
      return await deps.signingKey(jwksUrl);
    } catch (error) {
      // Kratos: a set without a usable key is the caller's template's fault (400, its wording);
      // a set that cannot be read is ours (500).
      if (error instanceof NoSigningKeyError)
        throw badRequest('Could not find key a suitable key for tokenization in the JWKS url.');
      throw internalError('The tokenizer key set could not be read.', error);
    }
  }

  async function mappedClaims(
    url: string,
    session: JsonObject,
    claims: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    let source: string;
    try {
      source = await deps.loadMapper(url);
    } catch (error) {
      throw internalError('The tokenizer claims mapper could not be loaded.', error);
    }
    const outcome = await deps.jsonnet.evaluate(source, { session, claims }, { filename: url });
    if (outcome.kind !== 'ok') {
      deps.logger.warn(
        { claims_mapper_url: url, jsonnet: outcomeFailure(outcome) },
        'tokenizer claims mapper failed',
      );
      throw badRequest('Unable to execute tokenizer JsonNet.');
    }
    const mapped = isRecord(outcome.value) ? outcome.value.claims : undefined;
    if (!isRecord(mapped))
      throw badRequest('Expected tokenizer JsonNet to return a claims object but it did not.');
    return mapped;
  }

  return {
    async tokenize(name, session) {
      const template = deps.templates.get(name);
      if (template === undefined) throw badRequest(`Unable to find tokenizer template "${name}".`);
      const signing = await keyFor(template.jwksUrl);
      const at = Math.floor(now().getTime() / 1000);
      let claims: Record<string, unknown> = {
        jti: randomUUID(),
        iss: deps.issuer,
        exp: at + Math.floor(template.ttlMs / 1000),
        sid: session.id,
        nbf: at,
        iat: at,
        sub: subjectOf(session, template.subjectSource),
      };
      if (template.claimsMapperUrl !== undefined) {
        claims = { ...claims, ...(await mappedClaims(template.claimsMapperUrl, session, claims)) };
        claims.sub = subjectOf(session, template.subjectSource);
      }
      return signJwt(signing, claims);
    },
  };
}
