import { deepFreeze } from './cache.ts'
import { ACCESS_TYP, REFRESH_TYP, type Context } from './context.ts'
import { checkClaims } from './claims.ts'
import { TokenError, type TokenErrorCode } from './errors.ts'
import { checkHeader, parseSegment, splitCompact, type JsonObject } from './jws.ts'

export type TokenKind = 'access' | 'refresh'

/** What a header segment decides before the signature: the kind it claims, or why it fails. */
export type HeaderVerdict = { kind: TokenKind | 'other'; error?: undefined } | { kind?: undefined; error: TokenErrorCode }

/** Header segments remembered per instance; nearly every token of a deployment has the same one. */
const MAX_HEADERS = 64

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
 * Parses and judges a header segment. The verdict depends on the segment's text alone, so it is
 * remembered: a repeated header costs one Map lookup. A header that is not a JSON object throws
 * (shape comes first) and is not remembered.
 */
function judgeHeader(ctx: Context, segment: string): HeaderVerdict {
  const known = ctx.headers.get(segment)
  if (known !== undefined) return known
  const header = parseSegment(segment)
  let verdict: HeaderVerdict
  try {
    checkHeader(header)
    verdict = { kind: claimedKind(header) }
  } catch (error) {
    if (!(error instanceof TokenError)) throw error
    verdict = { error: error.code }
  }
  // Clearing when full keeps the map bounded, whatever headers an attacker sends.
  if (ctx.headers.size >= MAX_HEADERS) ctx.headers.clear()
  ctx.headers.set(segment, verdict)
  return verdict
}

interface Verified {
  kind: TokenKind
  payload: JsonObject
}

/**
 * Shape → algorithm → signature (with the key of the kind the token claims) → kind → claims.
 * Kind is judged only after the signature, so a forged token is always `invalid_signature`.
 * Revocation is not checked here. Synchronous when the HMAC is (node:crypto), so the hot path
 * awaits nothing.
 */
export function verifyToken(ctx: Context, token: unknown, expected: TokenKind | 'any'): Verified | Promise<Verified> {
  const parts = splitCompact(token)
  const verdict = judgeHeader(ctx, parts.header)
  const payload = parseSegment(parts.payload)
  if (verdict.error !== undefined) throw new TokenError(verdict.error)
  const { kind } = verdict
  const good = (kind === 'refresh' ? ctx.refreshKey : ctx.accessKey).hmac.verify(parts.signingInput, parts.signature)
  if (typeof good === 'boolean') return afterSignature(ctx, good, kind, expected, payload)
  return good.then((ok) => afterSignature(ctx, ok, kind, expected, payload))
}

function afterSignature(ctx: Context, good: boolean, kind: TokenKind | 'other', expected: TokenKind | 'any', payload: JsonObject): Verified {
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
  if (typeof payload.jti === 'string') {
    const revoked = ctx.store.isTokenRevoked(payload.jti, ctx.now())
    if (revoked === true || (revoked !== false && (await revoked))) throw new TokenError('token_revoked')
  }
  return payload
}
