/**
 * Kratos's session token exchange, for native apps that sign in with a provider through the
 * system browser: the app starts an api flow with `return_session_token_exchange_code=true` and
 * gets an `init_code` (the flow's `session_token_exchange_code`); the browser finishes the sign-in
 * at the provider callback, which parks the new session token (encrypted) on the flow and sends
 * the browser to `return_to` (the default return URL without one) with a second code, `code`;
 * the app trades both codes for the session at `GET /sessions/token-exchange`. Neither code alone is enough: the browser never sees the
 * first, and the app's HTTP client never sees the sign-in.
 *
 * The init code carries the id of the flow it was made for (the flow store is the lookup); the
 * flow keeps only hashes of both codes. A sign-in that moves to another flow (a provider login
 * that becomes a registration) carries the state along, and parks the token on the flow the init
 * code names.
 */

import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { equalBytes } from '../../hash/constant-time.js';
import type { JsonValue } from '../../identity/model.js';
import type { SecretCipher } from '../../kernel/cipher.js';
import { type AppError, badRequest, internalError } from '../../kernel/errors.js';
import { sha256Hex } from '../../kernel/sha256.js';
import type { FlowStore } from '../../persistence/flow-store.js';
import type { FlowKind, SelfServiceFlow } from './flow.js';

const INTERNAL_KEY = 'token_exchange';

/** What a flow keeps of its exchange, in `internal` (never serialised). */
export interface TokenExchangeState {
  /** The flow the init code names: where the token is parked. */
  origin: { kind: FlowKind; id: string };
  initHash: string;
  /** Set once the sign-in finished: the `code` hash and the sealed session token. */
  parked?: { returnToHash: string; sealedToken: string };
}

/** A new exchange: the flow's id, the init code, and the state the flow is created with. */
export interface NewTokenExchange {
  flowId: string;
  initCode: string;
  state: TokenExchangeState;
}

/** The strings Go's strconv.ParseBool reads as true. */
const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

/**
 * Whether `return_session_token_exchange_code` asks for an exchange on a login init, as Kratos's
 * NewLoginFlow reads it: `strconv.ParseBool` with the error ignored, so "1", "t", "True" … are
 * true and anything else (empty, "no", garbage) is false, never a 400.
 */
export function exchangeAskedOnLogin(raw: string | undefined): boolean {
  return raw !== undefined && GO_TRUE.has(raw);
}

/**
 * Whether `return_session_token_exchange_code` asks for an exchange on a registration init, as
 * Kratos's NewRegistrationFlow reads it: only the exact string "true" (it does not ParseBool).
 */
export function exchangeAskedOnRegistration(raw: string | undefined): boolean {
  return raw === 'true';
}

/**
 * A new exchange for an api init that asks for one (see exchangeAskedOnLogin) and has no session:
 * Kratos's NewLoginFlow creates the exchanger only in its no-session branch, so a refresh of a
 * signed-in app gets its flow without a code. The flow's id is chosen here because the init code
 * names it; the init code becomes the flow's `session_token_exchange_code`. `return_to` is not
 * required: without one the browser takes the code to the default return URL, as Kratos's
 * MaybeRedirectAPICodeFlow (the code is useless without the init code only the app holds).
 */
export function tokenExchangeForInit(kind: FlowKind): NewTokenExchange {
  const flowId = randomUUID();
  const initCode = Buffer.concat([uuidBytes(flowId), randomBytes(32)]).toString('base64url');
  return { flowId, initCode, state: { origin: { kind, id: flowId }, initHash: sha256Hex(initCode) } };
}

/** The flow's exchange state, when it has one. */
export function tokenExchangeOf(flow: SelfServiceFlow): TokenExchangeState | undefined {
  const raw = flow.internal[INTERNAL_KEY];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  return raw as unknown as TokenExchangeState;
}

/** `internal` entries that give a flow this exchange state (nothing without one). */
export function tokenExchangeInternal(state: TokenExchangeState | undefined): Record<string, JsonValue> {
  return state === undefined ? {} : { [INTERNAL_KEY]: state as unknown as JsonValue };
}

/** The flow id an init code names, or undefined when it is not one of ours. */
export function flowIdOfInitCode(initCode: string): string | undefined {
  const raw = Buffer.from(initCode, 'base64url');
  if (raw.length !== 48 || raw.toString('base64url') !== initCode) return undefined;
  const hex = raw.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Whether `code` hashes to `hash`, in constant time. */
export function codeMatches(code: string, hash: string): boolean {
  return equalBytes(Buffer.from(sha256Hex(code), 'hex'), Buffer.from(hash, 'hex'));
}

/**
 * Parks a finished sign-in's session token on the origin flow and answers where the browser goes:
 * `returnTo` with `code` (the return-to code) added.
 */
async function parkSessionToken(
  deps: { flows: FlowStore; cipher: SecretCipher; now(): Date },
  state: TokenExchangeState,
  token: string,
  returnTo: string,
): Promise<string> {
  const origin = await deps.flows.get(state.origin.kind, state.origin.id);
  if (origin === undefined) throw internalError('The flow of the session token exchange is gone.');
  const returnToCode = randomBytes(32).toString('base64url');
  const parked: TokenExchangeState = {
    ...state,
    parked: {
      returnToHash: sha256Hex(returnToCode),
      sealedToken: deps.cipher.encrypt(token),
    },
  };
  await deps.flows.update({
    ...origin,
    internal: { ...origin.internal, ...tokenExchangeInternal(parked) },
    updated_at: deps.now(),
  });
  const url = new URL(returnTo);
  url.searchParams.set('code', returnToCode);
  return url.toString();
}

/**
 * Requests that finish an api flow in the system browser (the provider callback of a flow with an
 * exchange): the sign-in's answer is a redirect with the return-to code, not the JSON an app's
 * own request gets. A WeakSet, so nothing outlives the request.
 */
const exchangeCallbacks = new WeakSet<FastifyRequest>();

export function markExchangeCallback(request: FastifyRequest): void {
  exchangeCallbacks.add(request);
}

export function isExchangeCallback(request: FastifyRequest): boolean {
  return exchangeCallbacks.has(request);
}

function uuidBytes(id: string): Buffer {
  return Buffer.from(id.replace(/-/g, ''), 'hex');
}

/**
 * A sign-in finishing in the system browser for a native app that needs the person once more
 * (traits the provider did not give, or the sign-in to an existing account before linking): it
 * ends here. Keeping the provider account on the flow for a later post would let whoever holds
 * the flow id (the party that started the exchange, not necessarily the person in the browser)
 * finish the sign-up with that account, so nothing is kept.
 */
export function exchangeNeedsPerson(): AppError {
  return badRequest(
    "This sign-in needs more from the person than the provider gave, which a native app's system browser sign-in cannot ask for. Sign up in the app or in a browser first.",
  );
}

/**
 * Where the system browser goes when a native app's exchange sign-in finished: the app's
 * `return_to` (the default return URL when the init named none) with the return-to code (the token parked), or without one when no session was
 * issued (a registration without the `session` hook). Undefined when the request is no exchange
 * callback, and the flow answers as it always does.
 */
export async function exchangeRedirect(
  deps: {
    flows: FlowStore;
    cipher: SecretCipher;
    now(): Date;
    config: { readonly defaultReturnUrl: string };
  },
  request: FastifyRequest,
  flow: SelfServiceFlow,
  token: string | undefined,
): Promise<string | undefined> {
  const state = flow.type === 'api' && isExchangeCallback(request) ? tokenExchangeOf(flow) : undefined;
  if (state === undefined) return undefined;
  // An exchange started without return_to ends at the default return URL, as Kratos's
  // MaybeRedirectAPICodeFlow does (SecureRedirectTo with the default).
  const returnTo = flow.return_to ?? deps.config.defaultReturnUrl;
  return token === undefined ? returnTo : parkSessionToken(deps, state, token, returnTo);
}
