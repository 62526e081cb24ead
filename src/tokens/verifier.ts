// A verifier of access tokens alone: keys and claim rules, no store, no refresh key. It is what
// `hallpass/hono` verifies with when given a secret (stateless: blind to revocations).
import type { JsonObject } from '../jws/compact.ts'
import { hmacRingKey, type HmacFactory } from '../keys/hmac.ts'
import { KeyRing, KeySelector } from '../keys/ring.ts'
import { parseSecret } from '../keys/secret.ts'
import { checkedNumber, checkedText } from '../protocol/settings.ts'
import type { VerifyContext } from './context.ts'
import { verifyToken } from './verify.ts'

export interface VerifierOptions {
  /** HALLPASS_SECRET of the issuing hallpass: a string, a JSON JWK, or raw bytes; at least 32 bytes. */
  secret: string | Uint8Array<ArrayBuffer>
  /** Required `iss`, when the issuer sets one. */
  issuer?: string
  /** Required `aud`, when the issuer sets one. */
  audience?: string
  /** Leeway in seconds for `exp` and `nbf` (0). */
  clockTolerance?: number
  /** The clock, epoch milliseconds (`Date.now`). */
  clock?: () => number
  /** HMAC implementation; WebCrypto by default. */
  hmac?: HmacFactory
}

/** What verifies an access token: all its claims, or a TokenError. */
export interface Verifier {
  verify(token: string): Promise<JsonObject>
}

/** Checks the options and imports the key once; throws ConfigError on a bad option. */
export async function createVerifier(options: VerifierOptions): Promise<Verifier> {
  const material = parseSecret(options.secret, 'secret')
  const clock = options.clock ?? Date.now
  const ctx: VerifyContext = {
    keys: new KeySelector(new KeyRing([await hmacRingKey(material.bytes, material.kid, options.hmac)], { findByKid: false }), undefined),
    issuer: checkedText('issuer', options.issuer),
    audience: checkedText('audience', options.audience),
    clockTolerance: checkedNumber('clockTolerance', options.clockTolerance),
    now: () => Math.floor(clock() / 1000),
  }
  return {
    async verify(token) {
      const verified = verifyToken(ctx, token, 'access')
      return ('then' in verified ? await verified : verified).payload
    },
  }
}
