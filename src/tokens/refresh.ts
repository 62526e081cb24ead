import { StoreUnavailableError, TokenError } from '../errors.ts'
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
 * the immediate predecessor within the reuse interval (HALLPASS_REUSE_INTERVAL, 0 by default),
 * or a retry of a refresh this node answered with error 11 (PROTOCOL v3). The store checks the
 * subject's cut-off against the family's login instant in the rotation's own atomic step; the
 * tokens minted carry that login instant, so a revocation racing this refresh covers them.
 */
export async function refresh(ctx: Context, token: unknown): Promise<TokenSet> {
  const signer = accessSigner(ctx)
  const { payload } = await verifyToken(ctx, token, 'refresh')
  const { family, generation } = familyOf(payload)
  // A token the view already refuses is refused without a store round trip.
  if (await ctx.store.isRevoked(revocationQuery(payload), ctx.now())) throw new TokenError('token_revoked')
  const ms = ctx.issueClock.instant()
  const now = Math.floor(ms / 1000)
  const next = nextRefreshToken(ctx, ms)
  const sub = typeof payload.sub === 'string' ? payload.sub : undefined
  const retry = ctx.doubts.retryInterval(family, generation, now)
  const reuseInterval = retry === undefined ? ctx.reuseInterval : Math.max(ctx.reuseInterval, retry)
  let result
  try {
    result = await ctx.store.rotateFamily(family, { generation, sub, next, now, reuseInterval })
  } catch (error) {
    // Committed or not, nobody can say: a retry with this token gets whichever successor there is.
    if (error instanceof StoreUnavailableError) ctx.doubts.add(family, generation, now)
    throw error
  }
  if (retry !== undefined) ctx.doubts.settle(family, generation)
  switch (result.status) {
    case 'rotated':
      return mint(ctx, signer, result.claims, family, generation + 1, next, ms, result.authTimeMs)
    case 'grace':
      // A racing client (two tabs) within the reuse interval, or a retry: it gets the successor its twin got.
      return mint(ctx, signer, result.claims, family, generation + 1, result.current, ms, result.authTimeMs)
    case 'reused':
      throw new TokenError('refresh_token_reused')
    default:
      // Revoked (its subject's cut-off included), or unknown to this store (expired, or the state was lost).
      throw new TokenError('token_revoked')
  }
}
