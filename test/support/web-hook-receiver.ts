/**
 * A web hook target for the suites of a flow's after hooks: a real HTTP receiver started for the
 * `describe`, answering `/interrupting` (a `can_interrupt` hook) with 200 and `/plain` with 204
 * unless a test scripts otherwise, plus the config and answers those suites share.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type HttpReceiver, startHttpReceiver } from './http-receiver.js';
import { need } from './suite-server.js';

/** Registers the receiver's hooks (start, passing answers before each test, stop). */
export function useHookReceiver(): { readonly receiver: HttpReceiver } {
  let receiver: HttpReceiver | undefined;
  beforeAll(async () => {
    receiver = await startHttpReceiver();
  });
  afterAll(async () => {
    await receiver?.stop();
  });
  beforeEach(() => {
    receiver?.script('/interrupting', [{ status: 200, body: {} }]);
    receiver?.script('/plain', [{ status: 204 }]);
  });
  return {
    get receiver() {
      return need(receiver, 'web hook receiver');
    },
  };
}

/** A Jsonnet body as the config carries it inline. */
export const jsonnetBody = (source: string) => `base64://${Buffer.from(source).toString('base64')}`;

/** A `web_hook` posting `body` to the receiver's `path`; `can_interrupt` lets its 4xx refuse the flow. */
export function webHookTo(
  receiver: HttpReceiver,
  path: '/interrupting' | '/plain',
  body: string,
): { hook: 'web_hook'; config: Record<string, unknown> } {
  return {
    hook: 'web_hook',
    config: {
      url: `${receiver.url}${path}`,
      method: 'POST',
      body,
      ...(path === '/interrupting' ? { can_interrupt: true } : {}),
    },
  };
}

/** What a policy service answers to refuse a flow with `text`, in Kratos's web hook format. */
export function refusal(text: string) {
  return {
    status: 403,
    body: { messages: [{ instance_ptr: '#/', messages: [{ id: 4000001, text, type: 'error' }] }] },
  };
}
