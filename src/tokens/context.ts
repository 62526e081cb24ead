// Everything the operations share, resolved once by createHallpass: the key rings, the signing
// keys with their encoded headers, lifetimes, the store and the clock.
import type { Signer } from '../jws/sign.ts'
import type { ClaimRules } from '../jwt/claims.ts'
import type { KeySelector } from '../keys/ring.ts'
import type { TokenStore } from '../store/types.ts'
import type { VerifiedCache } from './cache.ts'

/** What verifying a token needs: the keys, and the rules its claims are held against. */
export interface VerifyContext extends ClaimRules {
  keys: KeySelector
}

/** A key that signs, with the protected header its tokens carry (encoded once). */
export interface SigningKey {
  header: string
  signer: Signer
}

export interface Context extends VerifyContext {
  access: SigningKey
  refresh: SigningKey
  accessTtl: number
  refreshTtl: number
  /** Seconds in which the immediate predecessor of a family's refresh token is still answered. */
  reuseInterval: number
  store: TokenStore
  /** Verified access tokens, when `verifyCache` is on. */
  cache: VerifiedCache | undefined
}
