import { deepFreeze } from './cache.ts'
import { ACCESS_TYP, REFRESH_TYP, type Context } from './context.ts'
import { checkClaims } from './claims.ts'
import { TokenError } from './errors.ts'
import { checkHeader, decodeCompact, verifySignature, type JsonObject } from './jws.ts'

export type TokenKind = 'access' | 'refresh'

const ACCESS_TYP_LOWER = ACCESS_TYP.toLowerCase()

/**
 * The kind a header claims to be. `typ` is compared case-insensitively (RFC 7515 §4.1.9); an
 * access token may omit it, so tokens from other JWT libraries verify too.
 */
function claimedKind(header: JsonObject): TokenKind | 'other' {
  const { typ } = header
  if (typ === undefined) return 'access'
  if (typeof typ !== 'string') return 'other'
  const lower = typ.toLowerCase()
  if (lower === ACCESS_TYP_LOWER) return 'access'
  if (lower === REFRESH_TYP) return 'refresh'
  return 'other'
}

/**
 * Shape → algorithm → signature (with the key of the kind the token claims) → kind → claims.
 * Kind is judged only after the signature, so a forged token is always `invalid_signature`.
 * Revocation is not checked here.
 */
export async function verifyToken(ctx: Context, token: unknown, expected: TokenKind | 'any'): Promise<{ kind: TokenKind; payload: JsonObject }> {
  const decoded = decodeCompact(token)
  checkHeader(decoded.header)
  const kind = claimedKind(decoded.header)
  await verifySignature(decoded, kind === 'refresh' ? ctx.refreshKey : ctx.accessKey)
  if (kind === 'other' || (expected !== 'any' && kind !== expected)) throw new TokenError('wrong_token_type')
  checkClaims(decoded.payload, ctx)
  return { kind, payload: decoded.payload }
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
    payload = (await verifyToken(ctx, token, 'access')).payload
    if (cache !== undefined) cache.set(token as string, deepFreeze(payload))
  }
  if (typeof payload.jti === 'string') {
    const revoked = ctx.store.isTokenRevoked(payload.jti, ctx.now())
    if (revoked === true || (revoked !== false && (await revoked))) throw new TokenError('token_revoked')
  }
  return payload
}
