// Claim checks, run only after the signature has been verified.
import { TokenError } from './errors.ts'
import type { JsonObject } from './jws.ts'
import type { Context } from './context.ts'

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

/**
 * `exp` is required and numeric; `nbf` and `iat` numeric when present; `iss` and `aud` must match
 * when configured. Checked in that order, with `clockTolerance` seconds of leeway on times.
 */
export function checkClaims(payload: JsonObject, ctx: Context): void {
  const { exp, nbf, iat } = payload
  if (!isNumber(exp)) throw new TokenError('invalid_claims')
  if ((nbf !== undefined && !isNumber(nbf)) || (iat !== undefined && !isNumber(iat))) {
    throw new TokenError('invalid_claims')
  }
  const now = ctx.now()
  if (exp <= now - ctx.clockTolerance) throw new TokenError('token_expired')
  if (nbf !== undefined && nbf > now + ctx.clockTolerance) throw new TokenError('token_not_yet_valid')
  if (ctx.issuer !== undefined && payload.iss !== ctx.issuer) throw new TokenError('invalid_claims')
  if (ctx.audience !== undefined && !hasAudience(payload.aud, ctx.audience)) throw new TokenError('invalid_claims')
}

function hasAudience(aud: unknown, audience: string): boolean {
  return aud === audience || (Array.isArray(aud) && aud.includes(audience))
}
