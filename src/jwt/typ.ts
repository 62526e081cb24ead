// The two kinds of token hallpass issues, told apart by their `typ` header (RFC 8725 §3.11).
import type { JsonObject } from '../jws/compact.ts'

/** `typ` of access tokens (RFC 7519 §5.1). */
export const ACCESS_TYP = 'JWT'
/** `typ` of refresh tokens: a distinct type, so neither kind can pass as the other. */
export const REFRESH_TYP = 'hallpass-refresh+jwt'

export type TokenKind = 'access' | 'refresh'

const ACCESS_TYP_LOWER = ACCESS_TYP.toLowerCase()

/**
 * The kind a header claims to be. `typ` is compared case-insensitively (RFC 7515 §4.1.9); an
 * access token may omit it, so tokens from other JWT libraries verify too.
 */
export function claimedKind(header: JsonObject): TokenKind | 'other' {
  const { typ } = header
  if (typ === undefined) return 'access'
  if (typeof typ !== 'string') return 'other'
  const lower = typ.toLowerCase()
  if (lower === ACCESS_TYP_LOWER) return 'access'
  if (lower === REFRESH_TYP) return 'refresh'
  return 'other'
}

/** The `typ` values an access token of a trusted issuer may carry (RFC 9068 §2.1), lowercased. */
const TRUSTED_ACCESS_TYPS = new Set([ACCESS_TYP_LOWER, 'at+jwt', 'application/at+jwt'])

/**
 * Whether a trusted issuer's token header says it is an access token: `typ` absent, `JWT`, or
 * RFC 9068's `at+jwt` (`application/at+jwt` too), compared case-insensitively.
 */
export function isTrustedAccessTyp(header: JsonObject): boolean {
  const { typ } = header
  return typ === undefined || (typeof typ === 'string' && TRUSTED_ACCESS_TYPS.has(typ.toLowerCase()))
}
