import { TokenError } from '../errors.ts'
import { parseSegment, splitCompact, type CompactParts, type JsonObject } from '../jws/compact.ts'
import { checkClaims } from '../jwt/claims.ts'
import type { TokenKind } from '../jwt/typ.ts'
import { deepFreeze } from './cache.ts'
import type { RevocationQuery } from '../store/types.ts'
import type { Context, Verified, VerifyContext } from './context.ts'
import { verifyTrusted } from './trusted.ts'
import { isPending, type Maybe } from '../lib/maybe.ts'

export type { Verified } from './context.ts'

/**
 * Shape → algorithm → key → signature (with the key the header selects) → kind → claims. Kind is
 * judged only after the signature, so a forged token is always `invalid_signature`. Revocation is
 * not checked here. Synchronous when the key's check is (node:crypto), so the hot path awaits
 * nothing. A token whose `iss` names a trusted issuer goes to that issuer's keys alone (`iss` is
 * read before the signature only to choose them); this node's keys never see it.
 */
export function verifyToken(ctx: VerifyContext, token: unknown, expected: TokenKind | 'any'): Verified | Promise<Verified> {
  const parts = splitCompact(token)
  const { trusted } = ctx
  if (trusted !== undefined) {
    const payload = parseSegment(parts.payload, ctx.decodeText)
    const issuer = typeof payload.iss === 'string' ? trusted.get(payload.iss) : undefined
    if (issuer !== undefined) return verifyTrusted(issuer, parts, payload, expected)
    return ownToken(ctx, parts, payload, expected)
  }
  return ownToken(ctx, parts, undefined, expected)
}

function ownToken(ctx: VerifyContext, parts: CompactParts, parsed: JsonObject | undefined, expected: TokenKind | 'any'): Verified | Promise<Verified> {
  const verdict = ctx.keys.judge(parts.header)
  const payload = parsed ?? parseSegment(parts.payload, ctx.decodeText)
  if (verdict.error !== undefined) throw new TokenError(verdict.error)
  const { kind } = verdict
  const good = verdict.key.verify(parts.signingInput, parts.signature)
  if (typeof good === 'boolean') return afterSignature(ctx, good, kind, expected, payload)
  return good.then((ok) => afterSignature(ctx, ok, kind, expected, payload))
}

function afterSignature(ctx: VerifyContext, good: boolean, kind: TokenKind | 'other', expected: TokenKind | 'any', payload: JsonObject): Verified {
  if (!good) throw new TokenError('invalid_signature')
  if (kind === 'other' || (expected !== 'any' && kind !== expected)) throw new TokenError('wrong_token_type')
  return { kind, payload, now: checkClaims(payload, ctx) }
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
