export { GENERATE_ALGORITHMS, type GenerateAlgorithm, generateJwk } from './generate.js';
export {
  ASYMMETRIC_ALGORITHMS,
  findSigningKey,
  HMAC_ALGORITHMS,
  type JwkSet,
  parseJwkSet,
  publicJwk,
  publicJwks,
  signingAlgorithm,
} from './keys.js';
export { idTokenJwksUrls, type JwksRoutesDeps, jwksRoutes } from './routes.js';
export {
  type JwksLocation,
  JwksStore,
  type JwksStoreOptions,
  jwksLocation,
  jwksStoreFor,
  type SigningKey,
} from './store.js';
