// Public keys under which anyone can sign: small-order and non-canonical Ed25519 points, RSA keys
// with a tiny or even exponent, and the tokens an attacker mints under them from public material
// alone. WebCrypto only, so the same helpers run in Node and workerd.
import { encode } from '../../src/lib/base64url.ts'
import { segment } from './forge.ts'

const hex = (text: string) => Uint8Array.from(text.match(/../g)!, (byte) => parseInt(byte, 16))
const P = 2n ** 255n - 19n

/** 32 bytes, little-endian, of a field element or any integer below 2^256. */
function littleEndian(value: bigint): Uint8Array {
  const bytes = new Uint8Array(32)
  for (let i = 0; i < 32; i++) bytes[i] = Number((value >> BigInt(8 * i)) & 0xffn)
  return bytes
}

/** The identity point (y = 1, order 1): the `x` of the attack in issue 22. */
export const ED25519_IDENTITY_X = 'AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'

/** libsodium's blocklist: the small-order points, and p-1, p, p+1 (sign bit clear). */
export const ED25519_SMALL_ORDER: Array<[label: string, x: string]> = [
  ['0 (order 4)', encode(littleEndian(0n))],
  ['1, the identity (order 1)', ED25519_IDENTITY_X],
  ['26e8…fc05 (order 8)', encode(hex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'))],
  ['c717…037a (order 8)', encode(hex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'))],
  ['p-1 (order 2)', encode(littleEndian(P - 1n))],
  ['p (= 0, order 4)', encode(littleEndian(P))],
  ['p+1 (= 1, order 1)', encode(littleEndian(P + 1n))],
]

/** The same encoding with the sign bit (the top bit of the last byte) set. */
export function withSignBit(x: string): string {
  const bytes = Uint8Array.from(atob(x.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))
  bytes[31]! |= 0x80
  return encode(bytes)
}

/** Encodings whose y, sign bit masked, is p or more: never a canonical point. */
export const ED25519_NON_CANONICAL: Array<[label: string, x: string]> = [
  ['p+2', encode(littleEndian(P + 2n))],
  ['p+18', encode(littleEndian(P + 18n))],
  ['2^255-1', encode(littleEndian(2n ** 255n - 1n))],
]

/** An Ed25519 public JWK whose point is the identity. */
export function identityEd25519(kid: string): JsonWebKey & { kid: string; alg: string } {
  return { kty: 'OKP', crv: 'Ed25519', x: ED25519_IDENTITY_X, alg: 'EdDSA', kid }
}

/**
 * An EdDSA token, any claims, that RFC 8032's cofactorless check accepts under the identity key:
 * with A the identity, [S]B = R + [k]A reduces to [S]B = R, which R = identity and S = 0 satisfy.
 */
export function forgeEdDSA(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const signature = new Uint8Array(64)
  signature[0] = 1 // R: the identity's encoding (y = 1); S: zero
  return `${segment({ alg: 'EdDSA', ...header })}.${segment(claims)}.${encode(signature)}`
}

/** A public RSA JWK of a real 2048-bit modulus with exponent `e` (base64url). */
export async function rsaWithExponent(kid: string, e: string, alg = 'RS256'): Promise<JsonWebKey & { kid: string; alg: string }> {
  const pair = (await crypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'])) as CryptoKeyPair
  const { n } = (await crypto.subtle.exportKey('jwk', pair.publicKey)) as JsonWebKey
  return { kty: 'RSA', n: n!, e, alg, kid }
}

/** DER of the DigestInfo prefix of SHA-256 (RFC 8017 §9.2, note 1). */
const SHA256_DIGEST_INFO = hex('3031300d060960864801650304020105000420')

/**
 * An RS256 token, any claims, that verifies under an RSA key with e = 1: s^1 mod n is s itself, so
 * the EMSA-PKCS1-v1_5 encoding of the signing input is its own signature.
 */
export async function forgeRs256WithExponentOne(jwk: { n?: string | undefined; kid: string }, claims: Record<string, unknown>): Promise<string> {
  const modulusBytes = Uint8Array.from(atob(jwk.n!.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)).length
  const input = `${segment({ alg: 'RS256', typ: 'JWT', kid: jwk.kid })}.${segment(claims)}`
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(input)))
  const encoded = new Uint8Array(modulusBytes).fill(0xff)
  encoded[0] = 0x00
  encoded[1] = 0x01
  const tail = modulusBytes - SHA256_DIGEST_INFO.length - hash.length
  encoded[tail - 1] = 0x00
  encoded.set(SHA256_DIGEST_INFO, tail)
  encoded.set(hash, tail + SHA256_DIGEST_INFO.length)
  return `${input}.${encode(encoded)}`
}

/** The text both transports refuse a ring holding these keys with (after their own prefix). */
export const WEAK_RING_ERRORS = {
  ed25519: (kid: string) => `HALLPASS_KEYS: key "${kid}": "x" is a small-order Ed25519 point, under which anyone can sign`,
  rsa: (kid: string) => `HALLPASS_KEYS: key "${kid}": the RSA public exponent "e" must be odd, at least 65537 and below 2^256 (NIST SP 800-56B)`,
}

/** The attack of issue 22 in both forms: a ring holding the weak key, a token forged under it, and the refusal. */
export async function weakRingAttacks(): Promise<Array<[label: string, ring: string, forged: string, refusal: string]>> {
  const claims = { sub: 'admin', roles: ['admin'], exp: Math.floor(Date.now() / 1000) + 3600 }
  const rsa = await rsaWithExponent('weak-rsa', 'AQ')
  return [
    ['the Ed25519 identity point, token R = identity, S = 0', JSON.stringify({ keys: [identityEd25519('weak-ed')] }), forgeEdDSA({ typ: 'JWT', kid: 'weak-ed' }, claims), WEAK_RING_ERRORS.ed25519('weak-ed')],
    ['an RSA key with e = 1, token signed by its own encoding', JSON.stringify({ keys: [rsa] }), await forgeRs256WithExponentOne(rsa, claims), WEAK_RING_ERRORS.rsa('weak-rsa')],
  ]
}
