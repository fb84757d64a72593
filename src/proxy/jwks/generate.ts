import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

export const GENERATE_ALGORITHMS = ['ES256', 'RS256', 'EdDSA'] as const;
export type GenerateAlgorithm = (typeof GENERATE_ALGORITHMS)[number];

/** A new private signing key: `use: sig`, `alg`, `kid` (a random UUID unless given); RSA keys are 2048 bits. */
export async function generateJwk(alg: GenerateAlgorithm, kid?: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: kid ?? randomUUID(), use: 'sig', alg };
}
