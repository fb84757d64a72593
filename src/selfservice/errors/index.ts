/**
 * Kratos's self-service error store: an error a browser flow cannot show on a flow is stored
 * and the browser that hit it is sent to `selfservice.flows.error.ui_url?id=<id>`; the error UI
 * reads it from `GET /self-service/errors?id=` (the id is enough, as in Kratos). JSON clients
 * get the error directly.
 *
 * @example
 * flows.setErrorHandler(reportErrorsToBrowsers(errors));
 * await flows.register(selfServiceErrorRoutes(errors));
 */

export type { SelfServiceErrorDeps } from './deps.js';
export { errorUiUrl, type FlowErrorJson, flowErrorJson, storedErrorBody } from './flow-error.js';
export { type FlowErrorRead, readFlowError } from './read.js';
export {
  isBrowserPageRequest,
  rememberCsrfSecretGiven,
  reportErrorsToBrowsers,
  reportErrorToBrowser,
} from './report.js';
export { selfServiceErrorRoutes } from './routes.js';
export {
  createSelfServiceErrorStore,
  type SelfServiceErrorStore,
  type StoredFlowError,
} from './store.js';
export { STUB_ERROR_IDS, stubFlowError } from './stubs.js';
