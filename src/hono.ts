// `hallpass/hono`: a Hono middleware that lets only requests with a valid hallpass access token
// through (RFC 6750 bearer tokens) and puts the token's claims on the context. Only Hono's types are
// imported, so it adds no runtime dependency and runs wherever Hono does (Workers, Node, Deno, Bun).
import type { Context, MiddlewareHandler } from 'hono'
import { ConfigError, StoreUnavailableError, TOKEN_ERRORS, TokenError, type TokenErrorCode } from './errors.ts'
import type { JsonObject } from './jws/compact.ts'
import { defaultJwksCache, type JwksCache } from './jwks/cache.ts'
import { MIN_SECRET_BYTES } from './keys/secret.ts'
import { utf8 } from './lib/base64url.ts'
import { checkedNumber } from './protocol/settings.ts'
import { FeedView, type FeedPage } from './store/feed.ts'
import type { VerifyOptions } from './tokens/options.ts'
import { revocationQuery } from './tokens/verify.ts'
import { checkVerifier, importVerifier, type Verifier } from './tokens/verifier.ts'

export type { Verifier }

interface CommonOptions {
  /** The `realm` of the WWW-Authenticate challenge ("hallpass"). */
  realm?: string
}

/**
 * Verify locally with the issuer's key(s) (`secret` or `keys`), and/or other issuers' published
 * keys (`trustedIssuers`): the options every entry point verifies with (createHallpass,
 * createVerifier). Stateless and fast, but blind to revocations.
 */
export interface KeyOptions extends CommonOptions, Omit<VerifyOptions, 'jwksCache'> {
  /**
   * Where fetched JWK Sets are kept beyond this isolate's memory. By default the Workers Cache API
   * (`caches.default`) where there is one and a secret to seal its entries with (`jwksCacheKey`, or
   * `secret`), so a new isolate verifies without fetching; with no such secret, or `false`, memory
   * only. A `JwksCache` of your own is trusted as it is: only your code may write to it.
   */
  jwksCache?: JwksCache | false
  /**
   * A secret of at least 32 bytes (a `wrangler secret`) the default Cache API entries are named and
   * authenticated with, through keys derived from it: other Workers of the zone share
   * `caches.default` and must not plant a JWK Set there. `secret` serves when this is not given.
   */
  jwksCacheKey?: string | Uint8Array<ArrayBuffer>
  /**
   * Revocation-aware, with no round trip per request: a service binding to the hallpass worker's
   * `TokenService` (`env.HALLPASS`), from which the middleware keeps a view of the revocations made
   * anywhere in that deployment, brought up to date at most twice per `revocationStaleness` in the
   * background. A revoked token is refused within that bound; a view that cannot be brought up to
   * date goes on with the revocations it knows (and a middleware that never loaded one answers 503).
   */
  revocations?: RevocationSource
  /** HALLPASS_REVOCATION_STALENESS: the most the view may lag behind the hallpass worker, ms (1000, above 0). */
  revocationStaleness?: number
  verifier?: never
}

/** The hallpass worker's `TokenService` over a service binding, as much as the revocation view needs. */
export interface RevocationSource {
  revocations(cursor?: unknown): Promise<FeedPage>
}

/** Verify with something else: a Hallpass instance, or `serviceVerifier(env.HALLPASS)` (revocation-aware). */
export interface ServiceOptions extends CommonOptions {
  verifier: Verifier
  secret?: never
  keys?: never
  trustedIssuers?: never
}

export type HallpassMiddlewareOptions = KeyOptions | ServiceOptions

/** The context variables the middleware sets: `c.get('jwtPayload')` holds all claims of the token. */
export type HallpassVariables = { jwtPayload: JsonObject }
export type HallpassEnv = { Variables: HallpassVariables }

/** RFC 6750 §2.1: `Bearer` then a b64token (a compact JWS fits). */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i
const BEARER_SCHEME = /^Bearer(?: |$)/i
/** A realm goes into a quoted-string: printable ASCII without `"` and `\`. */
const SAFE_REALM = /^[\x20\x21\x23-\x5b\x5d-\x7e]+$/

const NAMES = { prefix: 'hallpass(): ' } as const

function optional(value: unknown, name: string, check: (v: unknown) => boolean, what: string): void {
  if (value !== undefined && !check(value)) throw new ConfigError(`hallpass(): ${name} must be ${what}`)
}

/**
 * The middleware's verifier: the one given, or one over the checked key options, its keys imported
 * on first use; and, with `revocations`, its view of the hallpass worker's revocations.
 */
function verifierOf(options: HallpassMiddlewareOptions): { verifier: Verifier; view?: RevocationCheck } {
  if (typeof options !== 'object' || options === null) throw new ConfigError('hallpass(): options must be an object: { secret }, { keys }, { trustedIssuers } or { verifier }')
  optional(options.realm, 'realm', (v) => typeof v === 'string' && SAFE_REALM.test(v), 'printable ASCII without " or \\')
  if (options.verifier !== undefined) {
    if (options.secret !== undefined || options.keys !== undefined || options.trustedIssuers !== undefined) throw new ConfigError('hallpass(): give verifier alone, or secret, keys and trustedIssuers without it')
    if (typeof options.verifier?.verify !== 'function') throw new ConfigError('hallpass(): verifier must have a verify(token) method')
    return { verifier: options.verifier }
  }
  const { jwksCache, jwksCacheKey, revocations, revocationStaleness, ...rest } = options
  optional(jwksCache, 'jwksCache', (v) => v === false || (typeof v === 'object' && v !== null && typeof (v as JwksCache).read === 'function' && typeof (v as JwksCache).write === 'function'), 'false or { read(uri), write(uri, entry) }')
  optional(jwksCacheKey, 'jwksCacheKey', (v) => (typeof v === 'string' ? utf8(v) : v instanceof Uint8Array ? v : new Uint8Array()).length >= MIN_SECRET_BYTES, `a secret of at least ${MIN_SECRET_BYTES} bytes`)
  // The same checks createVerifier makes, now: a bad key fails at startup, not at the first request.
  const checked = checkVerifier(rest, NAMES)
  const verifyOptions: VerifyOptions = { ...rest, ...jwksCacheOption(jwksCache, jwksCacheKey ?? options.secret) }
  optional(revocations, 'revocations', (v) => typeof (v as RevocationSource)?.revocations === 'function', 'a service binding to the hallpass worker\'s TokenService (its revocations(cursor) method)')
  const boundMs = checkedNumber('revocationStaleness', revocationStaleness, `${NAMES.prefix}revocationStaleness`)
  if (revocations !== undefined && boundMs === 0) throw new ConfigError('hallpass(): revocationStaleness 0 asks on every request: use verifier: serviceVerifier(env.HALLPASS) for that')
  let pending: Promise<Verifier> | undefined
  // Keys are imported on first use (WebCrypto is async), once per middleware; trusted issuers'
  // keys are fetched on first use too, and kept in memory and in the Workers Cache API.
  const verifier: Verifier = {
    async verify(token) {
      pending ??= importVerifier(verifyOptions, checked, NAMES)
      return (await pending).verify(token)
    },
  }
  if (revocations === undefined) return { verifier }
  const feed = { read: (cursor: unknown) => revocations.revocations(cursor) }
  const view = new FeedView(feed, { boundMs, clock: checked.clock, log: checked.warn })
  // A trusted issuer's tokens are revoked at their issuer: subjects are per issuer.
  const trusted = new Set(checked.trusted.map((issuer) => issuer.issuer))
  return {
    verifier,
    view: {
      isRevoked: (payload, background) => (typeof payload.iss === 'string' && trusted.has(payload.iss) ? false : view.isRevoked(revocationQuery(payload), Math.floor(checked.clock() / 1000), background)),
    },
  }
}

/** Whether a verified token is revoked, by the middleware's view of the hallpass worker's revocations. */
interface RevocationCheck {
  isRevoked(payload: JsonObject, background: ((work: Promise<unknown>) => void) | undefined): boolean | Promise<boolean>
}

/**
 * The JWKS cache a middleware's verifier keeps: the one given, or the Workers Cache API. That is
 * shared with the zone's other Workers, so it is used only with a secret its entries are named and
 * sealed with (a random key per isolate would be as safe, and cache nothing beyond the isolate).
 */
function jwksCacheOption(given: JwksCache | false | undefined, secret: string | Uint8Array<ArrayBuffer> | undefined): { jwksCache?: JwksCache } {
  const cache = given === false ? undefined : (given ?? (secret === undefined ? undefined : defaultJwksCache(secret)))
  return cache === undefined ? {} : { jwksCache: cache }
}

/** The request's `waitUntil`, for a background update of the view to outlive the response; none outside Workers. */
function backgroundOf(c: Context): ((work: Promise<unknown>) => void) | undefined {
  try {
    const ctx = c.executionCtx
    return (work) => ctx.waitUntil(work)
  } catch {
    return undefined
  }
}

/**
 * A middleware that answers 401 unless the request carries `Authorization: Bearer <access token>`
 * that verifies, and otherwise sets `jwtPayload` and calls the next handler. The options are
 * checked here, at once: a bad secret fails at startup, not at the first request.
 */
export function hallpass(options: HallpassMiddlewareOptions): MiddlewareHandler<HallpassEnv> {
  const { verifier, view } = verifierOf(options)
  const realm = options.realm ?? 'hallpass'

  const challenge = (c: Context, status: 400 | 401, error?: { error: string; description: string; code?: TokenErrorCode }): Response => {
    const params = error === undefined ? '' : `, error="${error.error}", error_description="${error.description}"`
    const body = error === undefined ? { error: 'unauthorized', error_description: 'A Bearer token is required' } : { error: error.error, error_description: error.description, ...(error.code === undefined ? {} : { code: error.code }) }
    return c.json(body, status, { 'WWW-Authenticate': `Bearer realm="${realm}"${params}` })
  }

  return async function hallpassAuth(c, next) {
    const header = c.req.header('Authorization')
    // RFC 6750 §3.1: no credentials (or another scheme) gets the bare challenge, no error code.
    if (header === undefined || !BEARER_SCHEME.test(header)) return challenge(c, 401)
    const match = BEARER.exec(header)
    if (match === null) return challenge(c, 400, { error: 'invalid_request', description: 'Malformed Authorization header' })
    let payload: JsonObject
    try {
      payload = await verifier.verify(match[1]!)
      if (view !== undefined && (await view.isRevoked(payload, backgroundOf(c)))) throw new TokenError('token_revoked')
    } catch (error) {
      if (error instanceof StoreUnavailableError) return c.json({ error: 'temporarily_unavailable', error_description: 'Revocations cannot be checked now' }, 503, { 'Retry-After': '1' })
      if (!(error instanceof TokenError)) throw error
      const code = Object.hasOwn(TOKEN_ERRORS, error.code) ? error.code : 'malformed_token'
      // The fixed PROTOCOL text, never the token: it goes into a header and a log line.
      return challenge(c, 401, { error: 'invalid_token', description: TOKEN_ERRORS[code], code })
    }
    c.set('jwtPayload', payload)
    await next()
  }
}

/** The reply of the hallpass worker's `TokenService.verify` over a service binding. */
export type ServiceVerifyReply =
  | { type: 'token_valid'; payload: JsonObject }
  | { type: 'token_invalid'; code: string; error?: string }
  | { type: 'error'; code: number; text?: string }

/**
 * A verifier over a service binding to the hallpass worker's `TokenService`: every verify sees the
 * revocations made through that deployment (one RPC per request).
 */
export function serviceVerifier(service: { verify(token: string): Promise<ServiceVerifyReply> }): Verifier {
  if (typeof service?.verify !== 'function') throw new ConfigError('serviceVerifier(): the binding must have a verify(token) method (entrypoint = "TokenService")')
  return {
    async verify(token) {
      const reply = await service.verify(token)
      if (reply.type === 'token_valid') return reply.payload
      if (reply.type === 'token_invalid') {
        throw new TokenError(Object.hasOwn(TOKEN_ERRORS, reply.code) ? (reply.code as TokenErrorCode) : 'malformed_token')
      }
      throw new Error(`hallpass TokenService failed (error ${String(reply.code)})`)
    },
  }
}
