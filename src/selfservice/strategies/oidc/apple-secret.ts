import { importPKCS8, SignJWT } from 'jose';
import type { AppleSigningKey } from '../../../config/areas/oidc.js';

/** How long one signed client secret is used; Apple accepts up to six months. */
export const APPLE_SECRET_LIFETIME_MS = 24 * 60 * 60_000;

/**
 * Sign in with Apple's client secret: a short JWT signed (ES256) with the key Apple issued, as
 * Kratos's `provider_apple.go` builds it (`iss` team id, `sub` client id, `aud` Apple).
 */
export async function appleClientSecret(key: AppleSigningKey, clientId: string, now: Date): Promise<string> {
  const privateKey = await importPKCS8(key.privateKey, 'ES256');
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: key.privateKeyId })
    .setIssuer(key.teamId)
    .setSubject(clientId)
    .setAudience('https://appleid.apple.com')
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + APPLE_SECRET_LIFETIME_MS / 1000)
    .sign(privateKey);
}
