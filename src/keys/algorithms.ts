// The JOSE signature algorithms hallpass signs and verifies with (RFC 7518 §3, RFC 8037), each with
// the one key type it takes. A key is bound to exactly one of these, never chosen by a header.

export const ALGORITHMS = {
  HS256: { kty: 'oct', hash: 'SHA-256', minBytes: 32 },
  HS384: { kty: 'oct', hash: 'SHA-384', minBytes: 48 },
  HS512: { kty: 'oct', hash: 'SHA-512', minBytes: 64 },
  RS256: { kty: 'RSA', hash: 'SHA-256' },
  PS256: { kty: 'RSA', hash: 'SHA-256' },
  ES256: { kty: 'EC', crv: 'P-256', hash: 'SHA-256', coordinateBytes: 32 },
  ES384: { kty: 'EC', crv: 'P-384', hash: 'SHA-384', coordinateBytes: 48 },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', coordinateBytes: 32 },
} as const

export type Algorithm = keyof typeof ALGORITHMS
export type KeyType = (typeof ALGORITHMS)[Algorithm]['kty']

/** The smallest RSA modulus accepted, in bits (RFC 7518 §3.3). */
export const MIN_RSA_BITS = 2048

/**
 * The algorithm a name means: one of the table's, or `Ed25519` (RFC 9864's fully specified name),
 * which is EdDSA with Ed25519, the only curve hallpass takes. Anything else: undefined.
 */
export function algorithmNamed(name: unknown): Algorithm | undefined {
  if (name === 'Ed25519') return 'EdDSA'
  return typeof name === 'string' && Object.hasOwn(ALGORITHMS, name) ? (name as Algorithm) : undefined
}

export function isSymmetric(alg: Algorithm): boolean {
  return ALGORITHMS[alg].kty === 'oct'
}

/**
 * The algorithms a key of this `kty` (and `crv`) can be for: what a key that names no `alg` may
 * mean. One for an EC or OKP key (its curve decides), two for RSA (RS256, PS256), the HS family
 * for `oct`; none for anything else.
 */
export function keyAlgorithms(jwk: { kty?: unknown; crv?: unknown }): Algorithm[] {
  return (Object.keys(ALGORITHMS) as Algorithm[]).filter((alg) => {
    const spec = ALGORITHMS[alg]
    return spec.kty === jwk.kty && (!('crv' in spec) || spec.crv === jwk.crv)
  })
}
