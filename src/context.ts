// Everything the operations share, resolved once by createHallpass: imported keys, encoded
// headers, lifetimes, the store and the clock.
import { encode } from './base64url.ts'
import type { VerifiedCache } from './cache.ts'
import type { HmacKey } from './keys.ts'
import type { HeaderVerdict } from './verify.ts'
import type { TokenStore } from './store.ts'

/** `typ` of access tokens (RFC 7519 §5.1). */
export const ACCESS_TYP = 'JWT'
/** `typ` of refresh tokens: a distinct type, so neither kind can pass as the other (RFC 8725 §3.11). */
export const REFRESH_TYP = 'hallpass-refresh+jwt'

export interface Context {
  accessKey: HmacKey
  refreshKey: HmacKey
  accessHeader: string
  refreshHeader: string
  accessTtl: number
  refreshTtl: number
  issuer: string | undefined
  audience: string | undefined
  clockTolerance: number
  store: TokenStore
  /** Verdicts on header segments already seen (bounded). */
  headers: Map<string, HeaderVerdict>
  /** Verified access tokens, when `verifyCache` is on. */
  cache: VerifiedCache | undefined
  /** Current time in epoch seconds, whole. */
  now(): number
}

/** A random identifier (128 bits, base64url) for `jti` and refresh families. */
export function randomId(): string {
  return encode(crypto.getRandomValues(new Uint8Array(16)))
}
