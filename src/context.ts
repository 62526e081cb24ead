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
  /** Seconds in which the immediate predecessor of a family's refresh token is still answered. */
  reuseInterval: number
  store: TokenStore
  /** Verdicts on header segments already seen (bounded). */
  headers: Map<string, HeaderVerdict>
  /** Verified access tokens, when `verifyCache` is on. */
  cache: VerifiedCache | undefined
  /** Current time in epoch seconds, whole. */
  now(): number
}

const ID_BYTES = 16
/** Random bytes drawn in bulk: one `getRandomValues` call costs microseconds, whatever its size. */
const pool = new Uint8Array(ID_BYTES * 256)
let poolOffset = pool.length

/** A random identifier (128 bits from the platform CSPRNG, base64url) for `jti` and refresh families. */
export function randomId(): string {
  if (poolOffset === pool.length) {
    crypto.getRandomValues(pool)
    poolOffset = 0
  }
  const id = encode(pool.subarray(poolOffset, poolOffset + ID_BYTES))
  // Wipe what was used, so no identifier can be read back out of the pool.
  pool.fill(0, poolOffset, poolOffset + ID_BYTES)
  poolOffset += ID_BYTES
  return id
}
