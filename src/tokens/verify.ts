import { TokenError } from '../errors.ts'
import { parseSegment, splitCompact, type JsonObject } from '../jws/compact.ts'
import { checkClaims } from '../jwt/claims.ts'
import type { TokenKind } from '../jwt/typ.ts'
import { deepFreeze } from './cache.ts'
import type { RevocationQuery } from '../store/types.ts'
import type { Context, VerifyContext } from './context.ts'

export interface Verified {
  kind: TokenKind
  payload: JsonObject
}

/**
 * Shape → algorithm → key → signature (with the key the header selects) → kind → claims. Kind is
 * judged only after the signature, so a forged token is always `invalid_signature`. Revocation is
 * not checked here. Synchronous when the key's check is (node:crypto), so the hot path awaits
 * nothing.
 */
export function verifyToken(ctx: VerifyContext, token: unknown, expected: TokenKind | 'any'): Verified | Promise<Verified> {
  const parts = splitCompact(token)
  const verdict = ctx.keys.judge(parts.header)
  const payload = parseSegment(parts.payload)
  if (verdict.error !== undefined) throw new TokenError(verdict.error)
  const { kind } = verdict
  const good = verdict.key.verify(parts.signingInput, parts.signature)
  if (typeof good === 'boolean') return afterSignature(ctx, good, kind, expected, payload)
  return good.then((ok) => afterSignature(ctx, ok, kind, expected, payload))
}

function afterSignature(ctx: VerifyContext, good: boolean, kind: TokenKind | 'other', expected: TokenKind | 'any', payload: JsonObject): Verified {
  if (!good) throw new TokenError('invalid_signature')
  if (kind === 'other' || (expected !== 'any' && kind !== expected)) throw new TokenError('wrong_token_type')
  checkClaims(payload, ctx)
  return { kind, payload }
}

/** Verifies an access token, revocation included, and returns all its claims. */
export async function verifyAccess(ctx: Context, token: unknown): Promise<JsonObject> {
  const { cache } = ctx
  let payload = cache !== undefined && typeof token === 'string' ? cache.get(token) : undefined
  if (payload !== undefined) {
    // Signature, kind, nbf, iss and aud passed when it was cached and cannot change; exp can.
    if ((payload.exp as number) <= ctx.now() - ctx.clockTolerance) {
      cache!.delete(token as string)
      throw new TokenError('token_expired')
    }
  } else {
    const verified = verifyToken(ctx, token, 'access')
    payload = ('then' in verified ? await verified : verified).payload
    if (cache !== undefined) cache.set(token as string, deepFreeze(payload))
  }
  const revoked = ctx.store.isRevoked(revocationQuery(payload), ctx.now())
  if (revoked === true || (revoked !== false && (await revoked))) throw new TokenError('token_revoked')
  return payload
}

/** The store's one revocation question about a verified token. */
export function revocationQuery(payload: JsonObject): RevocationQuery {
  const { jti, sub, iat } = payload
  return {
    jti: typeof jti === 'string' ? jti : undefined,
    sub: typeof sub === 'string' ? sub : undefined,
    iat: typeof iat === 'number' ? iat : undefined,
  }
}
