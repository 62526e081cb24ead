// Key fixtures for the key-ring tests: one fresh private JWK per algorithm, made once per test
// module with WebCrypto (so the same helpers run in Node, workerd, browsers and Deno), and the
// tokens an attacker can make from public material alone.
import { checkJwk, generateJwk, webCrypto, type Algorithm, type GeneratedJwk } from '../../src/internal.ts'
import { encode } from '../../src/lib/base64url.ts'
import { forge, segment } from './forge.ts'

export const ALGS: Algorithm[] = ['HS256', 'HS384', 'HS512', 'RS256', 'PS256', 'ES256', 'ES384', 'EdDSA']
export const ASYMMETRIC: Algorithm[] = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA']

/** HALLPASS_REFRESH_SECRET of every key-ring node in the tests. */
export const REFRESH_SECRET = 'refresh-secret-of-the-key-ring-tests-0001'

/** One private key per algorithm, with kids naming the algorithm (`key-ES256`). */
export async function makeKeys(): Promise<Record<Algorithm, GeneratedJwk>> {
  const entries = await Promise.all(ALGS.map(async (alg) => [alg, { ...(await generateJwk(alg)), kid: `key-${alg}` }] as const))
  return Object.fromEntries(entries) as Record<Algorithm, GeneratedJwk>
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']

/** The public half of a JWK (an `oct` key has none: it stays as it is). */
export function publicOf(jwk: GeneratedJwk): GeneratedJwk {
  if (jwk.kty === 'oct') return jwk
  return Object.fromEntries(Object.entries(jwk).filter(([member]) => !PRIVATE_MEMBERS.includes(member))) as GeneratedJwk
}

/** A JWK Set as the JSON text HALLPASS_KEYS takes. */
export function keySet(...keys: object[]): string {
  return JSON.stringify({ keys })
}

/** The public key in the forms a confused verifier might take as an HMAC secret. */
export async function publicKeyForms(jwk: GeneratedJwk): Promise<Array<[form: string, secret: string | Uint8Array]>> {
  const params = jwk.kty === 'EC' ? { name: 'ECDSA', namedCurve: jwk.crv! } : jwk.kty === 'OKP' ? { name: 'Ed25519' } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, alg: _alg, kid: _kid, ...pub } = jwk
  const key = await crypto.subtle.importKey('jwk', pub, params, true, ['verify'])
  const der = new Uint8Array((await crypto.subtle.exportKey('spki', key)) as ArrayBuffer)
  const base64 = btoa(String.fromCharCode(...der))
  const pem = `-----BEGIN PUBLIC KEY-----\n${base64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END PUBLIC KEY-----\n`
  const forms: Array<[string, string | Uint8Array]> = [['PEM', pem], ['DER', der], ['JWK JSON', JSON.stringify(publicOf(jwk))], ['the JWK as published', JSON.stringify(pub)]]
  if (jwk.x !== undefined) forms.push(['raw x', jwk.x], ['raw x as bytes', Uint8Array.from(atob(jwk.x.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))])
  if (jwk.y !== undefined) forms.push(['raw x‖y', jwk.x! + jwk.y])
  if (jwk.n !== undefined) forms.push(['raw n', jwk.n])
  return forms
}

/** An HS256 token signed with `secret`, its header naming `kid` (when given). */
export function hmacWith(secret: string | Uint8Array, claims: Record<string, unknown>, kid?: string): Promise<string> {
  return forge(kid === undefined ? { alg: 'HS256', typ: 'JWT' } : { alg: 'HS256', typ: 'JWT', kid }, claims, secret)
}

/** A token whose header is `header` and whose signature is junk of `bytes` bytes. */
export function junkSigned(header: Record<string, unknown>, claims: Record<string, unknown>, bytes = 64): string {
  return `${segment(header)}.${segment(claims)}.${encode(crypto.getRandomValues(new Uint8Array(bytes)))}`
}

/** A token with exactly this header and these claims, signed with `jwk` under its own algorithm. */
export async function signWith(jwk: GeneratedJwk, header: Record<string, unknown>, claims: Record<string, unknown> | string): Promise<string> {
  const checked = checkJwk(jwk, 0, 'test')
  const ops = await webCrypto.importKey(checked, checked.alg)
  const input = `${segment(header)}.${segment(claims)}`
  return `${input}.${await ops.sign!(input)}`
}
