// Secrets as configured: a string (its UTF-8 bytes) or a JSON JWK of kty oct; the length rule, the
// refresh key's derivation, and a random default. No text here ever includes a secret.
import { decode, utf8 } from '../lib/base64url.ts'
import { ConfigError } from '../errors.ts'

/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash output. */
export const MIN_SECRET_BYTES = 32

/** Raw key material plus the `kid` a JWK may name. */
export interface SecretMaterial {
  bytes: Uint8Array<ArrayBuffer>
  kid?: string
}

/**
 * Reads a secret in one of the PROTOCOL's forms: a JSON JWK `{"kty":"oct","k":...}`, or a string
 * whose UTF-8 bytes are the key. `name` is the setting's name, for the error text; the secret
 * itself never appears in an error.
 */
export function parseSecret(value: string | Uint8Array<ArrayBuffer>, name: string): SecretMaterial {
  let material: SecretMaterial
  if (value instanceof Uint8Array) {
    material = { bytes: value }
  } else if (value.trimStart().startsWith('{')) {
    material = parseJwk(value, name)
  } else {
    material = { bytes: utf8(value) }
  }
  if (material.bytes.length < MIN_SECRET_BYTES) {
    throw new ConfigError(
      `${name} is too short: ${material.bytes.length} bytes, HS256 needs at least ${MIN_SECRET_BYTES} (RFC 7518 §3.2)`,
    )
  }
  return material
}

function parseJwk(value: string, name: string): SecretMaterial {
  let jwk: unknown
  try {
    jwk = JSON.parse(value)
  } catch (cause) {
    throw new ConfigError(`${name} starts with "{" but is not valid JSON: expected a JWK {"kty":"oct","k":"..."}`, { cause })
  }
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
    throw new ConfigError(`${name} is not a JWK object`)
  }
  const { kty, k, kid, alg } = jwk as Record<string, unknown>
  if (kty !== 'oct') throw new ConfigError(`${name}: a JWK must have "kty":"oct" for HS256`)
  if (alg !== undefined && alg !== 'HS256') throw new ConfigError(`${name}: the JWK's "alg" must be HS256 when present`)
  if (typeof k !== 'string') throw new ConfigError(`${name}: the JWK needs "k", the key in base64url`)
  if (kid !== undefined && (typeof kid !== 'string' || kid === '')) {
    throw new ConfigError(`${name}: the JWK's "kid" must be a non-empty string`)
  }
  let bytes: Uint8Array<ArrayBuffer>
  try {
    bytes = decode(k)
  } catch (cause) {
    throw new ConfigError(`${name}: the JWK's "k" is not strict base64url`, { cause })
  }
  return kid === undefined ? { bytes } : { bytes, kid }
}

/**
 * The refresh key when none is configured: HKDF-SHA256 over the access secret with a fixed,
 * purpose-bound info string, so it is stable across restarts but never equal to the access key.
 */
export async function deriveRefreshSecret(access: SecretMaterial): Promise<SecretMaterial> {
  const ikm = await crypto.subtle.importKey('raw', access.bytes, 'HKDF', false, ['deriveBits'])
  const bits = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: utf8('hallpass'), info: utf8('hallpass refresh-token key v1') },
    ikm,
    256,
  )
  return { bytes: new Uint8Array(bits) }
}

/** A fresh random secret, for a process started without HALLPASS_SECRET. */
export function randomSecret(): SecretMaterial {
  return { bytes: crypto.getRandomValues(new Uint8Array(MIN_SECRET_BYTES)) }
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}
