import type { FastifyInstance } from 'fastify';
import { notFound } from '../../kernel/errors.js';
import { sessionEnded } from '../../session/errors.js';
import { isSessionUsable } from '../../session/model.js';
import { isFlowExpired } from '../flow/flow.js';
import {
  codeMatches,
  flowIdOfInitCode,
  type TokenExchangeState,
  tokenExchangeInternal,
  tokenExchangeOf,
} from '../flow/token-exchange.js';
import type { LoginDeps } from './deps.js';

const query = {
  type: 'object',
  required: ['init_code', 'return_to_code'],
  properties: { init_code: { type: 'string' }, return_to_code: { type: 'string' } },
} as const;

/** The same answer for every code that is not (or no longer) good: nothing to learn from it. */
const NOTHING = 'no session yet for this code';

/**
 * `GET /sessions/token-exchange?init_code=&return_to_code=`: a native app trades the two codes of
 * its session token exchange (see flow/token-exchange.ts) for the session and its token,
 * `{session, session_token}` as a native login answers. Once: the parked token is dropped.
 */
export function tokenExchangeRoute(deps: LoginDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/sessions/token-exchange', { schema: { querystring: query } }, async (request, reply) => {
      const { init_code: initCode, return_to_code: returnToCode } = request.query as {
        init_code: string;
        return_to_code: string;
      };
      const flowId = flowIdOfInitCode(initCode);
      if (flowId === undefined) throw notFound(NOTHING);
      const flow = (await deps.flows.get('login', flowId)) ?? (await deps.flows.get('registration', flowId));
      const state = flow === undefined ? undefined : tokenExchangeOf(flow);
      if (flow === undefined || state === undefined || !codeMatches(initCode, state.initHash)) {
        throw notFound(NOTHING);
      }
      // The codes live as long as the flow they were made for.
      if (isFlowExpired(flow, deps.now())) throw notFound(NOTHING);
      const parked = state.parked;
      if (parked === undefined || !codeMatches(returnToCode, parked.returnToHash)) throw notFound(NOTHING);

      // Once only: the token leaves the flow before it is handed out, and of two requests racing
      // with the same codes only the one whose write lands on the version both read gets it.
      const spent: TokenExchangeState = { origin: state.origin, initHash: state.initHash };
      const wrote = await deps.flows.updateIfUnchanged(
        {
          ...flow,
          internal: { ...flow.internal, ...tokenExchangeInternal(spent) },
          updated_at: new Date(Math.max(deps.now().getTime(), flow.updated_at.getTime() + 1)),
        },
        flow.updated_at,
      );
      if (!wrote) throw notFound(NOTHING);
      const token = deps.cipher.decrypt(parked.sealedToken);
      const session = await deps.sessions.findByToken(token);
      if (session === undefined || !isSessionUsable(session, deps.now())) throw sessionEnded();
      const identity = await deps.identities.get(session.identity_id);
      return reply.send({ session: deps.sessions.toJson(session, identity), session_token: token });
    });
  };
}
