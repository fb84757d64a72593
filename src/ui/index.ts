/**
 * The built-in self-service UI: server-rendered pages under `/ui` built from the flows' `ui`
 * nodes, the welcome page, and the dev inbox. No JavaScript, one stylesheet, a strict CSP.
 *
 * @example
 * await app.register(uiRoutes(buildUiDeps(registry, selfService)));
 */

export { resolveUiConfig, UI_CONFIG_SCHEMA, type UiConfig } from './config.js';
export type { UiDeps } from './deps.js';
export { type CspSources, contentSecurityPolicy, cspSource } from './headers.js';
export { uiRoutes } from './routes.js';
