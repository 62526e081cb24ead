// Builds tokens by hand, the way an attacker would: any header, any payload, any signature.
// WebCrypto only, so the same helpers run in Node, workerd, browsers and Deno.
import { encode, encodeText } from '../../src/lib/base64url.ts'

export const SECRET = 'test-secret-that-is-at-least-32-bytes-long!'

export type Claims = Record<string, unknown>

export function now(): number {
  return Math.floor(Date.now() / 1000)
}

export function segment(value: unknown): string {
  return encodeText(typeof value === 'string' ? value : JSON.stringify(value))
}

export async function hmac(hash: 'SHA-256' | 'SHA-384' | 'SHA-512', secret: string | Uint8Array, data: string): Promise<string> {
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret
  const key = await crypto.subtle.importKey('raw', bytes as BufferSource, { name: 'HMAC', hash }, false, ['sign'])
  return encode(new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(data))))
}

/** A token with `header` and `payload` (claims, or their JSON text as is) HMAC-signed with `secret` (SHA-256 unless told). */
export async function forge(header: Claims, payload: Claims | string, secret: string | Uint8Array = SECRET, hash: 'SHA-256' | 'SHA-384' | 'SHA-512' = 'SHA-256'): Promise<string> {
  const input = `${segment(header)}.${segment(payload)}`
  return `${input}.${await hmac(hash, secret, input)}`
}

/** An HS256 access token as hallpass would issue it, signed with `secret`. */
export function accessToken(claims: Claims = {}, secret: string | Uint8Array = SECRET): Promise<string> {
  const t = now()
  return forge({ alg: 'HS256', typ: 'JWT' }, { sub: 'user123', iat: t, exp: t + 600, jti: `j-${Math.random()}`, ...claims }, secret)
}

/** Replaces one segment (0 header, 1 payload, 2 signature) of a compact token. */
export function withSegment(token: string, index: number, value: string): string {
  const parts = token.split('.')
  parts[index] = value
  return parts.join('.')
}

/** Flips one bit of the signature's first byte, keeping it canonical base64url. */
export function tamperSignature(token: string): string {
  const parts = token.split('.')
  const sig = parts[2]!
  const first = sig[0] === 'A' ? 'B' : 'A'
  parts[2] = first + sig.slice(1)
  return parts.join('.')
}
