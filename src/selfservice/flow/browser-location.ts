import { AppError, type ErrorBody } from '../../kernel/errors.js';

/**
 * 422 `browser_location_change_required`: an SPA must send the browser to `redirect_browser_to`
 * (for example to the settings page after a recovery) — Kratos puts the URL beside the error.
 */
export class BrowserLocationChangeRequired extends AppError {
  constructor(readonly redirectBrowserTo: string) {
    super('browser_location_change_required', 422, 'browser location change required', {
      reason: `In order to complete this flow please redirect the browser to: ${redirectBrowserTo}`,
    });
  }

  override toJSON(): ErrorBody & { redirect_browser_to: string } {
    return { ...super.toJSON(), redirect_browser_to: this.redirectBrowserTo };
  }
}
