import type { SelfServiceConfig } from '../config/index.js';
import type { Courier } from '../courier/index.js';
import type { JsonObject } from '../identity/model.js';
import type { FlowStore } from '../persistence/flow-store.js';
import type { SelfServiceErrorDeps } from '../selfservice/errors/deps.js';
import type { CookieSettings } from '../selfservice/flow/http-context.js';
import type { SessionManager } from '../session/manager.js';
import type { TokenSources } from '../session/request-token.js';
import type { UiConfig } from './config.js';
import type { CspSources } from './headers.js';

/** What the built-in UI needs; app/ui-wiring.ts provides it. */
export interface UiDeps {
  /** `ui.*`. */
  config: UiConfig;
  /** `selfservice.*`: which flows are on, where they send browsers. */
  selfService: SelfServiceConfig;
  /** `serve.public.base_url`; the pages live under its `ui/`. */
  publicBase: URL;
  flows: FlowStore;
  cookies: CookieSettings;
  tokens: TokenSources;
  sessions: Pick<
    SessionManager,
    'authenticate' | 'findByToken' | 'list' | 'get' | 'revoke' | 'revokeIdentitySessions' | 'logoutTokenFor'
  >;
  /** An identity schema's document by id, for the titles of traits on the welcome page. */
  schemaDocument(schemaId: string): JsonObject | undefined;
  /**
   * The self-service error store, read by the error page (`/ui/error?id=`). Without it the page
   * only says that something went wrong and quotes the id.
   */
  errors?: Pick<SelfServiceErrorDeps, 'store' | 'cookies' | 'now'>;
  /** The courier's outbox, read by the dev inbox; present only with `--dev`. */
  inbox?: Pick<Courier, 'listMessages' | 'getMessage'>;
  /** What the pages' Content-Security-Policy allows beyond their own origin. */
  csp: CspSources;
  /** Where `ui.translations_dir` is resolved from. */
  cwd: string;
  now(): Date;
}
