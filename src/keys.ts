import { decode, encode, utf8 } from './base64url.ts'
import { ConfigError } from './errors.ts'

/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash output. */
export const MIN_SECRET_BYTES = 32

/** Raw key material plus the `kid` a JWK may name. */
export interface SecretMaterial {
  bytes: Uint8Array<ArrayBuffer>
  kid?: string
}

/**
 * HMAC-SHA-256 under one key. The core's default is WebCrypto; a runtime with a faster HMAC
 * (node:crypto) can plug its own in through `HallpassOptions.hmac`.
 */
export interface Hmac {
  /** The base64url signature of `input`. */
  sign(input: string): Promise<string> | string
  /**
   * Whether `signature` is exactly the base64url signature of `input`, compared in constant time.
   * Only the canonical spelling may pass.
   */
  verify(input: string, signature: string): Promise<boolean> | boolean
}

/** Makes an `Hmac` for a key; called once per key, never per token. */
export type HmacFactory = (secret: Uint8Array<ArrayBuffer>) => Promise<Hmac> | Hmac

/** A key ready for HS256, imported once and reused for every call. */
export interface HmacKey {
  hmac: Hmac
  kid?: string
}

const SHA256_BYTES = 32

/** HMAC on `crypto.subtle`: the key is a non-extractable CryptoKey; verification is constant-time. */
export const webCryptoHmac: HmacFactory = async (secret) => {
  const key = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])
  return {
    async sign(input) {
      return encode(new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8(input))))
    },
    async verify(input, signature) {
      let bytes: Uint8Array<ArrayBuffer>
      try {
        bytes = decode(signature)
      } catch {
        return false
      }
      return bytes.length === SHA256_BYTES && crypto.subtle.verify('HMAC', key, bytes, utf8(input))
    },
  }
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

export async function importHmacKey(material: SecretMaterial, factory: HmacFactory = webCryptoHmac): Promise<HmacKey> {
  const hmac = await factory(material.bytes)
  return material.kid === undefined ? { hmac } : { hmac, kid: material.kid }
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
