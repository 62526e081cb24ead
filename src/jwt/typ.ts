// The two kinds of token hallpass issues, told apart by their `typ` header (RFC 8725 §3.11).
import type { JsonObject } from '../jws/compact.ts'

/** `typ` of access tokens (RFC 7519 §5.1). */
export const ACCESS_TYP = 'JWT'
/** `typ` of refresh tokens: a distinct type, so neither kind can pass as the other. */
export const REFRESH_TYP = 'hallpass-refresh+jwt'

export type TokenKind = 'access' | 'refresh'

/**
 * The `typ` values of an access token, lowercased: JWT, and RFC 9068's `at+jwt` (with its media
 * type's full form), which this node's tokens may carry too (PROTOCOL v3: either profile verifies).
 */
const ACCESS_TYPS = new Set([ACCESS_TYP.toLowerCase(), 'at+jwt', 'application/at+jwt'])

/**
 * The kind a header claims to be, from its `typ`, compared case-insensitively (RFC 7515 §4.1.9).
 * An access token may omit it, so tokens from other JWT libraries and issuers verify too. The
 * claim is believed only once the signature has passed.
 */
export function tokenKind(header: JsonObject): TokenKind | 'other' {
  const { typ } = header
  if (typ === undefined) return 'access'
  if (typeof typ !== 'string') return 'other'
  const lower = typ.toLowerCase()
  if (ACCESS_TYPS.has(lower)) return 'access'
  return lower === REFRESH_TYP ? 'refresh' : 'other'
}
