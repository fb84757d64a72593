import type { JsonObject } from '../../identity/model.js';
import type { AppError } from '../../kernel/errors.js';
import type { StoredFlowError } from './store.js';

/** `GET /self-service/errors` answers this (Kratos's `flowError`). */
export interface FlowErrorJson {
  id: string;
  error: JsonObject;
  created_at: string;
  updated_at: string;
}

/**
 * What is stored of an error: its Kratos body (`{id?, code, status, reason?, message,
 * details?}`) and nothing else — never a stack or a cause. Fields an error class puts beside
 * the body (`use_flow_id`, `redirect_browser_to`) concern API clients and are left out.
 */
export function storedErrorBody(error: AppError): JsonObject {
  return JSON.parse(JSON.stringify(error.toJSON().error)) as JsonObject;
}

export function flowErrorJson(
  stored: Pick<StoredFlowError, 'id' | 'error' | 'createdAt' | 'updatedAt'>,
): FlowErrorJson {
  return {
    id: stored.id,
    error: stored.error,
    created_at: stored.createdAt.toISOString(),
    updated_at: stored.updatedAt.toISOString(),
  };
}

/** `<ui_url>?id=<id>`: where a browser sees a stored error. */
export function errorUiUrl(uiUrl: string, id: string): string {
  const url = new URL(uiUrl);
  url.searchParams.set('id', id);
  return url.toString();
}
