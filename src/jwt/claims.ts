// Claim checks, run only after the signature has been verified.
import { TokenError } from '../errors.ts'
import type { JsonObject } from '../jws/compact.ts'

/** What the claims of a token are held against. */
export interface ClaimRules {
  issuer: string | undefined
  audience: string | undefined
  /** Leeway in seconds for `exp` and `nbf`. */
  clockTolerance: number
  /** Current time in epoch seconds, whole. */
  now(): number
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

/**
 * `exp` is required and numeric; `nbf` and `iat` numeric when present; `iss` and `aud` must match
 * when configured. Checked in that order, with `clockTolerance` seconds of leeway on times.
 * Returns the instant (epoch seconds) the times were checked at.
 */
export function checkClaims(payload: JsonObject, rules: ClaimRules): number {
  const { exp, nbf, iat } = payload
  if (!isNumber(exp)) throw new TokenError('invalid_claims')
  if ((nbf !== undefined && !isNumber(nbf)) || (iat !== undefined && !isNumber(iat))) {
    throw new TokenError('invalid_claims')
  }
  const now = rules.now()
  if (exp <= now - rules.clockTolerance) throw new TokenError('token_expired')
  if (nbf !== undefined && nbf > now + rules.clockTolerance) throw new TokenError('token_not_yet_valid')
  if (rules.issuer !== undefined && payload.iss !== rules.issuer) throw new TokenError('invalid_claims')
  if (rules.audience !== undefined && !hasAudience(payload.aud, rules.audience)) throw new TokenError('invalid_claims')
  return now
}

export function hasAudience(aud: unknown, audience: string): boolean {
  return aud === audience || (Array.isArray(aud) && aud.includes(audience))
}
