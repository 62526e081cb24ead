// What signs and verifies under one imported key. The core's provider is WebCrypto, which imports
// every key of the algorithms table from its JWK natively; a runtime with faster primitives (the
// stdin node's node:crypto) plugs its own provider in.
import { decode, encode, utf8 } from '../lib/base64url.ts'
import { ALGORITHMS, type Algorithm } from './algorithms.ts'
import type { CheckedJwk } from './jwk.ts'

/** One key, imported once and used for every token. */
export interface KeyOps {
  /**
   * Whether `signature`, base64url as it stands in the token, is exactly this key's signature of
   * `input`. Only the canonical spelling may pass; HMACs compare in constant time.
   */
  verify(input: string, signature: string): Promise<boolean> | boolean
  /** The base64url signature of `input`; only on keys with private material. */
  sign?(input: string): Promise<string> | string
}

/** Imports checked keys; called once per key at start, never per token. */
export interface CryptoProvider {
  importKey(jwk: CheckedJwk, alg: Algorithm): Promise<KeyOps> | KeyOps
  /**
   * A faster decoding of a token segment into text, as strict as `decodeText` (lib/base64url.ts):
   * TypeError on anything but canonical base64url of valid UTF-8. Used for the payload on every
   * verify; the core's own decoding when absent.
   */
  decodeText?(segment: string): string
  /** A faster base64url of a string's UTF-8 bytes, the same as `encodeText` gives: for every token issued. */
  encodeText?(text: string): string
}

// Spelled through SubtleCrypto's own signatures: the DOM and the Workers types name these differently.
type WebCryptoParams = { importParams: Parameters<SubtleCrypto['importKey']>[2]; signParams: Parameters<SubtleCrypto['sign']>[0] }

function webCryptoParams(alg: Algorithm): WebCryptoParams {
  switch (alg) {
    case 'HS256':
    case 'HS384':
    case 'HS512':
      return { importParams: { name: 'HMAC', hash: ALGORITHMS[alg].hash }, signParams: 'HMAC' }
    case 'RS256':
      return { importParams: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, signParams: 'RSASSA-PKCS1-v1_5' }
    case 'PS256':
      // RFC 7518 §3.5: the salt is as long as the hash.
      return { importParams: { name: 'RSA-PSS', hash: 'SHA-256' }, signParams: { name: 'RSA-PSS', saltLength: 32 } }
    case 'ES256':
    case 'ES384':
      return { importParams: { name: 'ECDSA', namedCurve: ALGORITHMS[alg].crv }, signParams: { name: 'ECDSA', hash: ALGORITHMS[alg].hash } }
    case 'EdDSA':
      return { importParams: { name: 'Ed25519' }, signParams: { name: 'Ed25519' } }
  }
}

/**
 * The exact length in bytes of a signature under this key: the hash for HMAC, the modulus for
 * RSA, two coordinates for ECDSA (JWS's R‖S form, which is WebCrypto's too), 64 for Ed25519.
 */
export function signatureBytes(jwk: CheckedJwk, alg: Algorithm): number {
  switch (alg) {
    case 'HS256':
      return 32
    case 'HS384':
      return 48
    case 'HS512':
      return 64
    case 'RS256':
    case 'PS256':
      return jwk.modulusBytes!
    case 'ES256':
    case 'ES384':
      return 2 * ALGORITHMS[alg].coordinateBytes
    case 'EdDSA':
      return 64
  }
}

/** The keys on `crypto.subtle`: non-extractable CryptoKeys; HMAC verification is constant-time. */
export const webCrypto: CryptoProvider = {
  async importKey(jwk, alg) {
    const { importParams, signParams } = webCryptoParams(alg)
    const length = signatureBytes(jwk, alg)
    const symmetric = jwk.public.kty === 'oct'
    // A private JWK imports as a signing key only: the public half verifies.
    const verifyKey = await crypto.subtle.importKey('jwk', symmetric ? jwk.private! : jwk.public, importParams, false, ['verify'])
    const signKey = jwk.private === undefined ? undefined : await crypto.subtle.importKey('jwk', jwk.private, importParams, false, ['sign'])
    const ops: KeyOps = {
      // Not async: subtle.verify's own promise is handed on, not wrapped in another one.
      verify(input, signature) {
        let bytes: Uint8Array<ArrayBuffer>
        try {
          bytes = decode(signature)
        } catch {
          return false
        }
        return bytes.length === length && crypto.subtle.verify(signParams, verifyKey, bytes, utf8(input))
      },
    }
    if (signKey !== undefined) ops.sign = async (input) => encode(new Uint8Array(await crypto.subtle.sign(signParams, signKey, utf8(input))))
    return ops
  },
}
