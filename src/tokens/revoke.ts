import { TokenError } from '../errors.ts'
import type { TokenKind } from '../jwt/typ.ts'
import type { Context } from './context.ts'
import { familyOf } from './refresh.ts'
import { verifyToken } from './verify.ts'

/**
 * Revokes a token that verifies: a refresh token takes its whole family with it; an access token
 * is refused by `verify` until its `exp`. Revoking again succeeds again.
 */
export async function revoke(ctx: Context, token: unknown): Promise<{ kind: TokenKind }> {
  const { kind, payload } = await verifyToken(ctx, token, 'any')
  const now = ctx.now()
  if (kind === 'refresh') {
    await ctx.store.revokeFamily(familyOf(payload).family, now)
  } else {
    // Without a jti there is nothing to remember the token by (tokens from other issuers).
    if (typeof payload.jti !== 'string') throw new TokenError('invalid_claims')
    await ctx.store.revokeToken(payload.jti, (payload.exp as number) + ctx.clockTolerance, now)
  }
  return { kind }
}
