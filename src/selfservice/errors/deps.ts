import type { CookieSettings } from '../flow/http-context.js';
import type { SelfServiceErrorStore } from './store.js';

/** What the error store's routes, the error report and the built-in UI's error page need. */
export interface SelfServiceErrorDeps {
  store: SelfServiceErrorStore;
  /**
   * `selfservice.flows.error.ui_url`; undefined when no error UI exists (the built-in UI is off
   * and no URL is set): browsers then get the JSON error, as every other client does.
   */
  uiUrl: string | undefined;
  /** `selfservice.flows.settings.ui_url`, where `/.well-known/change-password` leads. */
  settingsUiUrl: string;
  /** A stored error records (a hash of) the CSRF secret of the browser that hit it. */
  cookies: CookieSettings;
  now(): Date;
}
