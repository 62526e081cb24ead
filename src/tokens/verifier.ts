// A verifier of access tokens alone: keys and claim rules, no store, no refresh key. It is what
// `hallpass/hono` verifies with when given a secret (stateless: blind to revocations).
import type { JsonObject } from '../jws/compact.ts'
import { ConfigError } from '../errors.ts'
import type { CryptoProvider } from '../keys/crypto.ts'
import { checkKeySet } from '../keys/jwk.ts'
import type { FetchLike, JwksCache } from '../keys/remote.ts'
import { ringKey, secretJwk } from '../keys/resolve.ts'
import { KeyRing, KeySelector } from '../keys/ring.ts'
import { checkTrustedIssuers, trustedIssuers, type TrustedIssuerConfig } from '../keys/trusted.ts'
import { parseSecret } from '../keys/secret.ts'
import { andThen, promised } from '../lib/maybe.ts'
import { checkedNumber, checkedText } from '../protocol/settings.ts'
import type { VerifyContext } from './context.ts'
import { verifyToken } from './verify.ts'

export interface VerifierOptions {
  /** HALLPASS_SECRET of the issuing hallpass: a string, a JSON JWK, or raw bytes; at least 32 bytes. */
  secret?: string | Uint8Array<ArrayBuffer>
  /**
   * Instead of `secret`: a JWK Set (JSON text or object), such as the issuer's `jwks` reply; every
   * key with its `alg`, selected by `kid` as the issuing node does.
   */
  keys?: string | { keys: unknown[] }
  /** Required `iss`, when the issuer sets one. */
  issuer?: string
  /** Required `aud`, when the issuer sets one; required of a trusted issuer's tokens too, unless it has an `audience` of its own. */
  audience?: string
  /** Leeway in seconds for `exp` and `nbf` (0). */
  clockTolerance?: number
  /** The clock, epoch milliseconds (`Date.now`). */
  clock?: () => number
  /** Signing and verifying primitives; WebCrypto by default. */
  crypto?: CryptoProvider
  /**
   * Other issuers whose access tokens verify with the keys they publish at `jwks_uri` (JSON text or
   * the array), alone or next to `secret`/`keys`: a token is theirs by its exact `iss`.
   */
  trustedIssuers?: string | readonly TrustedIssuerConfig[]
  /** Where fetched JWK Sets are kept beyond memory (the Workers Cache API, say). */
  jwksCache?: JwksCache
  /** What fetches the JWK Sets; the global `fetch` by default. */
  fetch?: FetchLike
  /** Told why a JWK Set could not be fetched (issuer and reason, never a token); `console.warn` by default. */
  onWarning?: (message: string) => void
}

/** What verifies an access token: all its claims, or a TokenError. */
export interface Verifier {
  verify(token: string): Promise<JsonObject>
}

/** Checks the options and imports the key once; throws ConfigError on a bad option. */
export async function createVerifier(options: VerifierOptions): Promise<Verifier> {
  const own = (options.secret === undefined ? 0 : 1) + (options.keys === undefined ? 0 : 1)
  if (own > 1 || (own === 0 && options.trustedIssuers === undefined)) throw new ConfigError('give exactly one of secret and keys (with or without trustedIssuers), or trustedIssuers alone')
  const issuer = checkedText('issuer', options.issuer)
  const trusted = options.trustedIssuers === undefined ? [] : checkTrustedIssuers(options.trustedIssuers, issuer, 'trustedIssuers')
  const ring =
    options.keys !== undefined
      ? new KeyRing(await Promise.all((await checkKeySet(options.keys, 'keys')).map((jwk) => ringKey(jwk, options.crypto))), { findByKid: true })
      : options.secret !== undefined
        ? new KeyRing([await ringKey(secretJwk(parseSecret(options.secret, 'secret')), options.crypto)], { findByKid: false })
        : // Trusted issuers only: no key of its own, so every other token is unsupported_algorithm.
          new KeyRing([], { findByKid: true })
  const clock = options.clock ?? Date.now
  const clockTolerance = checkedNumber('clockTolerance', options.clockTolerance)
  const warn = options.onWarning ?? ((message: string) => console.warn(message))
  const audience = checkedText('audience', options.audience)
  const ctx: VerifyContext = {
    // No refresh ring: a refresh token is the wrong type here, whatever its signature.
    keys: new KeySelector(ring, undefined),
    decodeText: options.crypto?.decodeText,
    issuer,
    audience,
    clockTolerance,
    now: () => Math.floor(clock() / 1000),
    trusted: trustedIssuers(trusted, { fetch: options.fetch, clock, cache: options.jwksCache, log: warn, crypto: options.crypto, clockTolerance, audience, audienceSetting: 'audience' }),
  }
  return {
    verify: (token) => promised(() => andThen(verifyToken(ctx, token, 'access'), (verified) => verified.payload)),
  }
}
