import { TokenError } from '../errors.ts'
import { parseSegment, splitCompact, type JsonObject } from '../jws/compact.ts'
import { verifySignature } from '../jws/verify.ts'
import { checkClaims, type ClaimRules } from '../jwt/claims.ts'
import type { TokenKind } from '../jwt/typ.ts'
import { deepFreeze } from './cache.ts'
import type { RevocationQuery } from '../store/types.ts'
import type { Context, Verified, VerifyContext } from './context.ts'
import { isPending, type Maybe } from '../lib/maybe.ts'

export type { Verified } from './context.ts'

/**
 * Shape → key source → header checks → key → signature → kind → claims. The key source is the
 * trusted issuer the token's `iss` names (read before the signature only to choose it; its keys
 * alone verify such a token), else this node's own rings. Kind is believed only after the
 * signature, so a forged token is always `invalid_signature`. Revocation is not checked here.
 * Synchronous when the key's check is (node:crypto), so the hot path awaits nothing.
 */
export function verifyToken(ctx: VerifyContext, token: unknown, expected: TokenKind | 'any'): Maybe<Verified> {
  const parts = splitCompact(token)
  const payload = parseSegment(parts.payload, ctx.decodeText)
  const issuer = ctx.trusted !== undefined && typeof payload.iss === 'string' ? ctx.trusted.get(payload.iss) : undefined
  const kind = verifySignature(parts, issuer ?? ctx.keys)
  const rules = issuer?.rules ?? ctx
  if (isPending(kind)) return kind.then((signed) => accepted(signed, expected, payload, rules, issuer !== undefined))
  return accepted(kind, expected, payload, rules, issuer !== undefined)
}

/** A signed token of `kind`: the kind expected (a trusted issuer's, access only), then its claims. */
function accepted(kind: TokenKind | 'other', expected: TokenKind | 'any', payload: JsonObject, rules: ClaimRules, trusted: boolean): Verified {
  if (kind === 'other' || (expected !== 'any' && kind !== expected) || (trusted && kind !== 'access')) throw new TokenError('wrong_token_type')
  const verified: Verified = { kind, payload, now: checkClaims(payload, rules) }
  if (trusted) verified.trusted = true
  return verified
}

/**
 * Verifies an access token, revocation included, and returns all its claims. Synchronous (it
 * returns or throws) when the key's check and the store's answer are; a promise otherwise.
 */
export function verifyAccess(ctx: Context, token: unknown): Maybe<JsonObject> {
  const { cache } = ctx
  const payload = cache !== undefined && typeof token === 'string' ? cache.get(token) : undefined
  if (payload === undefined) {
    const verified = verifyToken(ctx, token, 'access')
    return isPending(verified) ? verified.then((done) => freshlyVerified(ctx, token as string, done)) : freshlyVerified(ctx, token as string, verified)
  }
  // Signature, kind, nbf, iss and aud passed when it was cached and cannot change; exp can.
  const now = ctx.now()
  if ((payload.exp as number) <= now - ctx.clockTolerance) {
    cache!.delete(token as string)
    throw new TokenError('token_expired')
  }
  return unlessRevoked(ctx, payload, now)
}

function freshlyVerified(ctx: Context, token: string, { payload, now, trusted }: Verified): Maybe<JsonObject> {
  // Another issuer's token: this node neither issued it nor can revoke it (subjects are per
  // issuer, so this node's revoke_subject does not speak for it); revocation is its issuer's. Nor
  // is it cached: its key may leave the issuer's JWKS at the next fetch, and a hit would not see
  // that, so every verify asks the key set (in memory, synchronous in steady state).
  if (trusted) return payload
  if (ctx.cache !== undefined) ctx.cache.set(token, deepFreeze(payload))
  return unlessRevoked(ctx, payload, now)
}

function unlessRevoked(ctx: Context, payload: JsonObject, now: number): Maybe<JsonObject> {
  const revoked = ctx.store.isRevoked(revocationQuery(payload), now)
  if (revoked === false) return payload
  if (revoked === true) throw new TokenError('token_revoked')
  return Promise.resolve(revoked).then((answer) => {
    if (answer) throw new TokenError('token_revoked')
    return payload
  })
}

/** The store's one revocation question about a verified token. */
export function revocationQuery(payload: JsonObject): RevocationQuery {
  const { jti, sub, iat, auth_time: authTime } = payload
  return {
    jti: typeof jti === 'string' ? jti : undefined,
    sub: typeof sub === 'string' ? sub : undefined,
    iat: typeof iat === 'number' ? iat : undefined,
    authTime,
  }
}
