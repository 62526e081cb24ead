// Everything the operations share, resolved once by createHallpass: the key rings, the signing
// keys with their encoded headers, lifetimes, the store and the clock.
import type { JsonObject } from '../jws/compact.ts'
import type { ClaimRules } from '../jwt/claims.ts'
import type { TokenKind } from '../jwt/typ.ts'
import type { SigningKey } from '../keys/resolve.ts'
import type { OwnKeys } from '../keys/ring.ts'
import type { TrustedIssuer } from '../keys/trusted.ts'
import type { TokenStore } from '../store/types.ts'
import type { VerifiedCache } from './cache.ts'
import type { IssueClock } from './clock.ts'
import type { RefreshDoubts } from './doubts.ts'

/** What verifying a token needs: the keys, and the rules its claims are held against. */
export interface VerifyContext extends ClaimRules {
  keys: OwnKeys
  /** The provider's faster segment decoding (node:crypto's Buffer), when it has one. */
  decodeText?: ((segment: string) => string) | undefined
  /** HALLPASS_TRUSTED_ISSUERS by `iss`: their tokens are verified with their published keys only. */
  trusted?: ReadonlyMap<string, TrustedIssuer> | undefined
}

export interface Context extends VerifyContext {
  /** The provider's faster claims encoding (node:crypto's Buffer), when it has one. */
  encodeText?: ((text: string) => string) | undefined
  /** Signs new access tokens; undefined on a verify-only node (a ring of public keys). */
  access: SigningKey | undefined
  refresh: SigningKey
  /** The public JWKs `jwks` answers with. */
  published: ReadonlyArray<JsonWebKey & { kid: string }>
  accessTtl: number
  refreshTtl: number
  /** Seconds in which the immediate predecessor of a family's refresh token is still answered. */
  reuseInterval: number
  store: TokenStore
  /** Refreshes answered with error 11, whose retry gets the successor (PROTOCOL v3). */
  doubts: RefreshDoubts
  /** The instant (ms) new tokens are issued at; `now()` is the same clock in seconds. */
  issueClock: IssueClock
  /** Verified access tokens, when `verifyCache` is on. */
  cache: VerifiedCache | undefined
}

/** A token whose signature and claims passed. */
export interface Verified {
  kind: TokenKind
  payload: JsonObject
  /** The instant (epoch seconds) its claims were checked at: revocation is judged at the same one. */
  now: number
  /** Set when a trusted issuer's keys verified it (HALLPASS_TRUSTED_ISSUERS): not this node's token. */
  trusted?: true
}
