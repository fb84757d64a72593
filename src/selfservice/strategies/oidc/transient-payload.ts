import type { JsonObject, JsonValue } from '../../../identity/model.js';
import type { SelfServiceFlow } from '../../flow/flow.js';

/**
 * The `transient_payload` a login or registration submission sent along with the press of a
 * provider's button, kept for its callback: Kratos carries it through the round trip in the
 * continuity cookie's AuthCodeContainer (and, for native flows, in the flow's internal context)
 * and puts it back on the flow at the callback, so the flow's web hooks read it as
 * `ctx.flow.transient_payload`. Here it waits in the flow's server-side `internal` state, tied to
 * the sign-in's state (its hash): only the callback of that very redirect gets it back, never a
 * later one that sent none.
 */
const KEY = 'oidc_transient_payload';

interface Parked {
  state_hash: string;
  payload: JsonObject;
}

function parkedOf(flow: SelfServiceFlow): Parked | undefined {
  const value = flow.internal[KEY];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { state_hash: stateHash, payload } = value;
  if (
    typeof stateHash !== 'string' ||
    typeof payload !== 'object' ||
    payload === null ||
    Array.isArray(payload)
  )
    return undefined;
  return { state_hash: stateHash, payload };
}

/**
 * The flow as it must be stored before the browser leaves for the provider, or undefined when
 * nothing changes (no payload now, none parked before).
 */
export function withParkedPayload(
  flow: SelfServiceFlow,
  stateHash: string,
  payload: JsonObject | undefined,
): SelfServiceFlow | undefined {
  if (payload === undefined) {
    if (!(KEY in flow.internal)) return undefined;
    const { [KEY]: _dropped, ...internal } = flow.internal;
    return { ...flow, internal };
  }
  const parked: Parked = { state_hash: stateHash, payload };
  return { ...flow, internal: { ...flow.internal, [KEY]: parked as unknown as JsonValue } };
}

/** The payload parked for the sign-in whose state hashes to `stateHash`, if any. */
export function parkedPayload(flow: SelfServiceFlow, stateHash: string): JsonObject | undefined {
  const parked = parkedOf(flow);
  return parked?.state_hash === stateHash ? parked.payload : undefined;
}
