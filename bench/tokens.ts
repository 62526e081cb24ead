// Tokens for benchmarks: distinct access tokens signed with node:crypto, so that no cache can stand
// in for verifying. HS256 under SECRET (makeTokens, as every part of the bench uses), or ES256,
// EdDSA and RS256 under a key of the caller's (makeSignedTokens, for the per-algorithm rows).
import { constants, createHmac, sign, type KeyObject } from 'node:crypto'

export const SECRET = 'bench-secret-bench-secret-bench-secret!!'

/** The asymmetric algorithms the core benchmarks measure beside HS256. */
export const ASYMMETRIC = ['ES256', 'EdDSA', 'RS256'] as const
export type AsymmetricAlg = (typeof ASYMMETRIC)[number]

/** The claims of token `i`: the same in every part of the bench and in the workerd bench worker. */
export function benchClaims(i: number, iat: number): Record<string, unknown> {
  return { sub: `user${i}`, email: `user${i}@example.com`, roles: ['user'], iat, exp: iat + 3600, jti: `jti-${i}` }
}

export function makeTokens(count: number, iat = Math.floor(Date.now() / 1000)): string[] {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')
  const tokens: string[] = []
  for (let i = 0; i < count; i++) {
    const input = `${header}.${Buffer.from(JSON.stringify(benchClaims(i, iat))).toString('base64url')}`
    tokens.push(`${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`)
  }
  return tokens
}

/** node:crypto's hash and key options for one asymmetric JWS algorithm (JWS's R‖S form for ECDSA). */
export function nodeSignParams(alg: AsymmetricAlg, key: KeyObject): { hash: string | null; options: { key: KeyObject; padding?: number; dsaEncoding?: 'ieee-p1363' } } {
  if (alg === 'ES256') return { hash: 'sha256', options: { key, dsaEncoding: 'ieee-p1363' } }
  if (alg === 'RS256') return { hash: 'sha256', options: { key, padding: constants.RSA_PKCS1_PADDING } }
  return { hash: null, options: { key } }
}

/** `count` distinct tokens of `alg` under `privateKey`, with `kid` in the header as hallpass issues them. */
export function makeSignedTokens(count: number, alg: AsymmetricAlg, privateKey: KeyObject, kid: string, iat = Math.floor(Date.now() / 1000)): string[] {
  const header = Buffer.from(JSON.stringify({ alg, typ: 'JWT', kid })).toString('base64url')
  const { hash, options } = nodeSignParams(alg, privateKey)
  const tokens: string[] = []
  for (let i = 0; i < count; i++) {
    const input = `${header}.${Buffer.from(JSON.stringify(benchClaims(i, iat))).toString('base64url')}`
    tokens.push(`${input}.${sign(hash, Buffer.from(input), options).toString('base64url')}`)
  }
  return tokens
}
