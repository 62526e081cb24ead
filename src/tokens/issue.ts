import { RequestError, VerifyOnlyError } from '../errors.ts'
import type { SigningKey } from '../keys/resolve.ts'
import { MAX_TOKEN_LENGTH, type JsonObject } from '../jws/compact.ts'
import { sign } from '../jws/sign.ts'
import { jsonProblem, MAX_JSON_DEPTH } from '../lib/json.ts'
import { andThen, isPending, type Maybe } from '../lib/maybe.ts'
import { randomId, timedId } from '../lib/random.ts'
import type { CurrentToken } from '../store/types.ts'
import type { Context } from './context.ts'

/** What `generate_access_token` and `refresh_token` answer (RFC 6749 §5.1 field names). */
export interface TokenSet {
  access_token: string
  token_type: 'Bearer'
  expires_in: number
  refresh_token: string
  refresh_expires_in: number
}

/** Claims the node sets itself: a caller's values for them are dropped. */
const NODE_CLAIMS = ['iat', 'exp', 'nbf', 'jti', 'auth_time'] as const

/** Checks a caller's claims and returns the ones an access token carries on from them. */
export function callerClaims(claims: unknown, ctx: Context): JsonObject {
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw new RequestError('payload must be a JSON object of claims')
  }
  const { sub } = claims as JsonObject
  if (typeof sub !== 'string' || sub === '') throw new RequestError('payload.sub must be a non-empty string')
  const caller: JsonObject = { ...claims }
  for (const name of NODE_CLAIMS) delete caller[name]
  if (ctx.issuer !== undefined) delete caller.iss
  // A token naming a trusted issuer is verified with that issuer's keys only: this node's would never pass.
  else if (typeof caller.iss === 'string' && ctx.trusted?.has(caller.iss)) throw new RequestError('payload.iss names a trusted issuer (HALLPASS_TRUSTED_ISSUERS): this node cannot issue its tokens')
  if (ctx.audience !== undefined) delete caller.aud
  checkEncodable(caller)
  return caller
}

/**
 * Room kept at issue below the token limit, so that every later refresh of the family fits too:
 * the generation in the refresh token grows by digits, and after a key rotation the signing key
 * may write a longer header and signature (an RSA-4096 signature is 640 characters longer than
 * an HS256 one).
 */
export const REFRESH_HEADROOM = 1024

/** Longest token `generate_access_token` hands out (both the access and the refresh token). */
export const MAX_ISSUED_TOKEN_LENGTH = MAX_TOKEN_LENGTH - REFRESH_HEADROOM

/**
 * Refuses claims no token can carry unchanged: nested deeper than a token may be (it could never
 * verify), holding a number JSON cannot write (1e400), or too large for the token limit.
 */
function checkEncodable(caller: JsonObject): void {
  const problem = jsonProblem(caller, MAX_JSON_DEPTH, true)
  if (problem === 'too_deep') throw new RequestError(`payload is nested deeper than ${MAX_JSON_DEPTH} levels`)
  if (problem === 'not_finite') throw new RequestError('payload holds a number JSON cannot carry (beyond the range of a double)')
  let json: string
  try {
    json = JSON.stringify(caller)
  } catch (cause) {
    // Only a library caller can get here (a BigInt claim, say): a parsed message has none.
    throw new RequestError('payload cannot be encoded as JSON', { cause })
  }
  // base64url grows JSON by 4/3; the header and signature take the rest of the limit.
  if (Math.ceil((json.length * 4) / 3) > MAX_ISSUED_TOKEN_LENGTH) throw tooLarge(MAX_ISSUED_TOKEN_LENGTH)
}

function tooLarge(limit: number): RequestError {
  return new RequestError(`payload too large: a token would exceed ${limit} characters`)
}

/** Issues an access token and the first refresh token of a new family; synchronous when signing and the store are. */
export function issue(ctx: Context, claims: unknown): Maybe<TokenSet> {
  const signer = accessSigner(ctx)
  const caller = callerClaims(claims, ctx)
  const family = randomId()
  const ms = ctx.issueClock.instant()
  const now = Math.floor(ms / 1000)
  const current = nextRefreshToken(ctx, ms)
  // The family's login instant is this issue instant: every token of the family carries it.
  return andThen(mint(ctx, signer, caller, family, 0, current, ms, ms, MAX_ISSUED_TOKEN_LENGTH), (tokens) =>
    andThen(ctx.store.createFamily(family, { claims: caller, authTimeMs: ms, generation: 0, revoked: false, current, rotatedAt: now }, now), () => tokens),
  )
}

/** The key that signs access tokens; a verify-only node has none (error 10). */
export function accessSigner(ctx: Context): SigningKey {
  if (ctx.access === undefined) throw new VerifyOnlyError()
  return ctx.access
}

/** Id and times of a refresh token issued at `ms` (epoch milliseconds, which its jti carries). */
export function nextRefreshToken(ctx: Context, ms: number): CurrentToken {
  const iat = Math.floor(ms / 1000)
  return { jti: timedId(ms), iat, exp: iat + ctx.refreshTtl }
}

/**
 * Signs a new access token for `caller`, issued at `ms` (epoch milliseconds: its `iat` in
 * seconds, the millisecond in its `jti`), and the refresh token of `generation` in `family`
 * described by `refresh`. Both carry the family's login instant `authTimeMs` as `auth_time`
 * (seconds with millisecond decimals), which `revoke_subject` judges them by. Signing the same
 * `refresh` again gives the same refresh token, which is how the reuse interval hands a racing
 * client its successor. Both tokens must fit `limit` (tighter at issue than at refresh: see
 * REFRESH_HEADROOM).
 */
export function mint(ctx: Context, signer: SigningKey, caller: JsonObject, family: string, generation: number, refresh: CurrentToken, ms: number, authTimeMs: number, limit = MAX_TOKEN_LENGTH): Maybe<TokenSet> {
  const registered: JsonObject = {}
  if (ctx.issuer !== undefined) registered.iss = ctx.issuer
  if (ctx.audience !== undefined) registered.aud = ctx.audience
  const now = Math.floor(ms / 1000)
  const authTime = authTimeMs / 1000
  const access = { ...caller, ...registered, auth_time: authTime, iat: now, exp: now + ctx.accessTtl, jti: timedId(ms) }
  const refreshClaims = { sub: caller.sub, ...registered, fam: family, gen: generation, auth_time: authTime, iat: refresh.iat, exp: refresh.exp, jti: refresh.jti }
  const accessToken = sign(signer.header, access, signer, ctx.encodeText)
  const refreshToken = sign(ctx.refresh.header, refreshClaims, ctx.refresh, ctx.encodeText)
  const tokenSet = (accessToken: string, refreshToken: string): TokenSet => {
    if (accessToken.length > limit || refreshToken.length > limit) throw tooLarge(limit)
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: ctx.accessTtl,
      refresh_token: refreshToken,
      refresh_expires_in: refresh.exp - now,
    }
  }
  if (isPending(accessToken) || isPending(refreshToken)) return Promise.all([accessToken, refreshToken]).then(([a, r]) => tokenSet(a, r))
  return tokenSet(accessToken, refreshToken)
}
