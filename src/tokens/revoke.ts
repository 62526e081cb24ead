import { RequestError, TokenError } from '../errors.ts'
import type { TokenKind } from '../jwt/typ.ts'
import type { Context } from './context.ts'
import { familyOf } from './refresh.ts'
import { verifyToken } from './verify.ts'

/**
 * Revokes a token that verifies: a refresh token takes its whole family with it; an access token
 * is refused by `verify` until its `exp`. Revoking again succeeds again.
 */
export async function revoke(ctx: Context, token: unknown): Promise<{ kind: TokenKind }> {
  const { kind, payload, trusted } = await verifyToken(ctx, token, 'any')
  // A trusted issuer's token is revoked at its issuer: this node does not decide for it.
  if (trusted) throw new TokenError('invalid_claims')
  const now = ctx.now()
  if (kind === 'refresh') {
    await ctx.store.revokeFamily(familyOf(payload).family, now)
  } else {
    // Without a jti there is nothing to remember the token by (tokens from other issuers).
    if (typeof payload.jti !== 'string') throw new TokenError('invalid_claims')
    const sub = typeof payload.sub === 'string' ? payload.sub : undefined
    await ctx.store.revokeToken(payload.jti, sub, (payload.exp as number) + ctx.clockTolerance, now)
  }
  return { kind }
}

/** Seconds a subject's cut-off outlives the tokens issued before it: see `revokeSubject`. */
const RACE_MARGIN = 60

/**
 * Logs `sub` out everywhere: every token of that subject issued up to this instant (its refresh
 * tokens, and so its families, and its access tokens) is refused until the last of them has
 * expired; tokens issued on this node afterwards, in the same millisecond even, verify.
 */
export async function revokeSubject(ctx: Context, sub: unknown): Promise<{ sub: string }> {
  if (typeof sub !== 'string' || sub === '') throw new RequestError('sub must be a non-empty string')
  // Refuse what was issued in this very millisecond too; the issue clock moves past the cut-off.
  const cutoffMs = ctx.issueClock.instant() + 1
  const now = ctx.now()
  // Kept until every token it covers has expired: refresh tokens live longest, and a refresh racing
  // this revocation mints tokens it covers a moment after the cut-off (a minute is ample for that).
  const expiresAt = Math.floor(cutoffMs / 1000) + Math.max(ctx.accessTtl, ctx.refreshTtl) + ctx.clockTolerance + RACE_MARGIN
  await ctx.store.revokeSubject(sub, cutoffMs, expiresAt, now)
  ctx.issueClock.holdFrom(cutoffMs)
  return { sub }
}
