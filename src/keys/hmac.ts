// HMAC-SHA-256 keys: an `Hmac` is what signs and verifies under one key. The core's default is
// WebCrypto; a runtime with a faster HMAC (node:crypto) plugs its own in.
import { decode, encode, utf8 } from '../lib/base64url.ts'
import type { RingKey } from './ring.ts'

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


/** An HS256 key of a ring: verifies, and signs (an HMAC key always holds its secret). */
export async function hmacRingKey(secret: Uint8Array<ArrayBuffer>, kid: string | undefined, factory: HmacFactory = webCryptoHmac): Promise<RingKey> {
  const hmac = await factory(secret)
  const key: RingKey = { alg: 'HS256', verify: (input, signature) => hmac.verify(input, signature), signer: hmac }
  if (kid !== undefined) key.kid = kid
  return key
}
