// The OP's signing keys, held and rotated the way Logto does it.
//
// Logto (packages/core/src/env-set/oidc.ts, packages/schemas/src/utils/oidc-private-key.ts):
// - a fresh tenant holds one EC P-384 key;
// - an immediate rotation (Console → Signing keys → rotate, or
//   `POST /api/configs/oidc/private-keys/rotate {"signingKeyAlgorithm":"RSA"|"EC"}`)
//   makes the new key Current and the old Current Previous, and drops an older
//   Previous key: at most two keys are held;
// - oidc-provider gets the keys Current first (`getOidcProviderPrivateKeys`), so
//   the JWKS lists the new key first;
// - the signing algorithm follows the Current key: `ES384` for EC, and for RSA
//   nothing, i.e. oidc-provider's default `RS256` (Logto used RSA before
//   v1.0.0-beta.20 and keeps that default);
// - oidc-provider derives `id_token_signing_alg_values_supported` from the keys
//   held, in key order: EC P-384 → `ES384`; an RSA key without `alg` → `PS256`,
//   `RS256` (its order, filtered by the enabled algorithms). Fresh:
//   `["ES384"]`; after EC → RSA: `["PS256","RS256","ES384"]`.
// - an RSA JWK fits several algorithms, so oidc-provider publishes it without
//   `alg`; an EC P-384 JWK fits one, so it gets `alg: ES384`.

import { randomUUID } from 'node:crypto';

import * as jose from 'jose';

/** Key types accepted by `POST /__dev/rotate-keys` (Logto's `SupportedSigningKeyAlgorithm`, minus EdDSA). */
export const KEY_TYPES = Object.freeze(['EC', 'RSA']);

/** Logto's `supportedSigningAlgs` (init.ts): what the OP may advertise. */
export const ENABLED_SIGNING_ALGS = Object.freeze(['RS256', 'PS256', 'ES256', 'ES384', 'ES512']);

/** Generates a private signing JWK with a unique kid: EC P-384, or RSA 2048 (no `alg`: RS256 and PS256 both fit). */
export async function generateSigningKey(type = 'EC') {
  if (type === 'EC') {
    const { privateKey } = await jose.generateKeyPair('ES384', { extractable: true });
    const jwk = await jose.exportJWK(privateKey);
    return { ...jwk, kid: `dev-idp-ec-${randomUUID()}`, alg: 'ES384', use: 'sig' };
  }
  if (type === 'RSA') {
    const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
    const jwk = await jose.exportJWK(privateKey);
    delete jwk.alg;
    return { ...jwk, kid: `dev-idp-rsa-${randomUUID()}`, use: 'sig' };
  }
  throw new TypeError(`unknown key type ${JSON.stringify(type)}, expected one of ${KEY_TYPES.join(', ')}`);
}

/** The algorithm ID tokens and JWT access tokens are signed with, as Logto picks it from the Current key. */
export function signingAlgFor(jwk) {
  return jwk.kty === 'EC' ? 'ES384' : 'RS256';
}

/**
 * The keys held: `current` first, then at most one `previous`.
 */
export function createKeyRing(initial) {
  let keys = [initial];
  return {
    /** Private JWKs in the order oidc-provider gets them (Current first). */
    privateJwks: () => keys.map((k) => ({ ...k })),
    current: () => keys[0],
    signingAlg: () => signingAlgFor(keys[0]),
    /** Immediate rotation: new → Current, Current → Previous, an older Previous is dropped. */
    async rotate(type) {
      const next = await generateSigningKey(type);
      keys = [next, keys[0]];
      return next;
    },
  };
}
