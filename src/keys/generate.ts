// New keys for `hallpass keygen` (and tests): made by WebCrypto, so in every runtime, and returned
// as JWKs with their `alg` and a fresh `kid`.
import { encode } from '../lib/base64url.ts'
import { randomId } from '../lib/random.ts'
import { ALGORITHMS, type Algorithm } from './algorithms.ts'
import { thumbprint } from './jwk.ts'

export type GeneratedJwk = JsonWebKey & { kid: string; alg: Algorithm }

const RSA_BITS = 2048

/** Key generation parameters (RsaHashedKeyGenParams / EcKeyGenParams / Ed25519), in the DOM's and the Workers types' common shape. */
type GenerateParams = { name: string; modulusLength?: number; publicExponent?: Uint8Array<ArrayBuffer>; hash?: string; namedCurve?: string }

function generateParams(alg: Algorithm): GenerateParams {
  switch (alg) {
    case 'RS256':
      return { name: 'RSASSA-PKCS1-v1_5', modulusLength: RSA_BITS, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }
    case 'PS256':
      return { name: 'RSA-PSS', modulusLength: RSA_BITS, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }
    case 'ES256':
    case 'ES384':
      return { name: 'ECDSA', namedCurve: ALGORITHMS[alg].crv }
    default:
      return { name: 'Ed25519' }
  }
}

/**
 * A new private JWK for `alg`. Asymmetric keys get their RFC 7638 thumbprint as `kid`; an HMAC key
 * gets a random one (a thumbprint of a secret would publish a hash of it).
 */
export async function generateJwk(alg: Algorithm): Promise<GeneratedJwk> {
  const spec = ALGORITHMS[alg]
  if (spec.kty === 'oct') {
    const secret = crypto.getRandomValues(new Uint8Array(spec.minBytes))
    return { kty: 'oct', kid: randomId(), alg, k: encode(secret) }
  }
  const pair = (await crypto.subtle.generateKey(generateParams(alg) as Parameters<SubtleCrypto['generateKey']>[0], true, ['sign', 'verify'])) as CryptoKeyPair
  const { key_ops: _ops, ext: _ext, alg: _alg, ...members } = (await crypto.subtle.exportKey('jwk', pair.privateKey)) as JsonWebKey
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicMembers } = members
  return { ...members, kid: await thumbprint(publicMembers), alg }
}
