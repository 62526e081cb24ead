// HMAC-SHA-256 on node:crypto for the stdin node: in Node, one synchronous HMAC costs about a
// microsecond while one `crypto.subtle` call costs tens (it is asynchronous and crosses threads).
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto'
import type { HmacFactory } from '../keys/hmac.ts'

/** Characters of a base64url HMAC-SHA-256 signature. */
const SIGNATURE_LENGTH = 43

export const nodeHmac: HmacFactory = (secret) => {
  const key = createSecretKey(secret)
  const sign = (input: string) => createHmac('sha256', key).update(input).digest('base64url')
  return {
    sign,
    verify(input, signature) {
      // Comparing encoded strings keeps verification strict: only the canonical spelling of the
      // right signature has the right 43 characters. Lengths are public; contents are compared in
      // constant time.
      // UTF-8, not latin1: latin1 would fold a non-ASCII look-alike onto an ASCII byte.
      const given = Buffer.from(signature, 'utf8')
      if (given.length !== SIGNATURE_LENGTH) return false
      return timingSafeEqual(Buffer.from(sign(input), 'latin1'), given)
    },
  }
}
