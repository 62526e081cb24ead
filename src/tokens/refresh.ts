import { TokenError } from '../errors.ts'
import type { JsonObject } from '../jws/compact.ts'
import type { Context } from './context.ts'
import { accessSigner, mint, nextRefreshToken, type TokenSet } from './issue.ts'
import { revocationQuery, verifyToken } from './verify.ts'

/** The family and generation a verified refresh token names. */
export function familyOf(payload: JsonObject): { family: string; generation: number } {
  const { fam, gen } = payload
  if (typeof fam !== 'string' || !Number.isSafeInteger(gen) || (gen as number) < 0) throw new TokenError('invalid_claims')
  return { family: fam, generation: gen as number }
}

/**
 * Spends a refresh token and issues a new access token and the family's next refresh token
 * (rotation). A spent token presented again revokes the whole family (RFC 9700 §4.14.2), except
 * the immediate predecessor within the reuse interval (HALLPASS_REUSE_INTERVAL, 0 by default).
 */
export async function refresh(ctx: Context, token: unknown): Promise<TokenSet> {
  const signer = accessSigner(ctx)
  const { payload } = await verifyToken(ctx, token, 'refresh')
  const { family, generation } = familyOf(payload)
  // revoke_subject ends a subject's families by its cut-off: a refresh token issued before it is
  // refused like an access token, so no store has to find the subject's families to revoke them.
  if (await ctx.store.isRevoked(revocationQuery(payload), ctx.now())) throw new TokenError('token_revoked')
  const ms = ctx.issueClock.instant()
  const now = Math.floor(ms / 1000)
  const next = nextRefreshToken(ctx, ms)
  const result = await ctx.store.rotateFamily(family, { generation, next, now, reuseInterval: ctx.reuseInterval })
  switch (result.status) {
    case 'rotated':
      return mint(ctx, signer, result.claims, family, generation + 1, next, ms)
    case 'grace':
      // A racing client (two tabs) within the reuse interval: it gets the successor its twin got.
      return mint(ctx, signer, result.claims, family, generation + 1, result.current, ms)
    case 'reused':
      throw new TokenError('refresh_token_reused')
    default:
      // Revoked, or unknown to this store (expired, or the state was lost): either way, dead.
      throw new TokenError('token_revoked')
  }
}
