// `hallpass/hono`: a Hono middleware that lets only requests with a valid hallpass access token
// through (RFC 6750 bearer tokens) and puts the token's claims on the context. Only Hono's types are
// imported, so it adds no runtime dependency and runs wherever Hono does (Workers, Node, Deno, Bun).
import type { Context, MiddlewareHandler } from 'hono'
import { ConfigError, TOKEN_ERRORS, TokenError, type TokenErrorCode } from './errors.ts'
import type { JsonObject } from './jws/compact.ts'
import { checkJwk, keysOf } from './keys/jwk.ts'
import { defaultJwksCache, type FetchLike, type JwksCache } from './keys/remote.ts'
import { checkTrustedIssuers, type TrustedIssuerConfig } from './keys/trusted.ts'
import { MIN_SECRET_BYTES, parseSecret } from './keys/secret.ts'
import { utf8 } from './lib/base64url.ts'
import { createVerifier, type Verifier } from './tokens/verifier.ts'

export type { Verifier }

interface CommonOptions {
  /** The `realm` of the WWW-Authenticate challenge ("hallpass"). */
  realm?: string
}

/** Verify locally with the issuer's key(s): stateless and fast, but blind to revocations. */
export interface SecretOptions extends CommonOptions {
  /** HALLPASS_SECRET of the issuing hallpass: a string, a JSON JWK, or raw bytes; at least 32 bytes. */
  secret?: string | Uint8Array<ArrayBuffer>
  /** Instead of `secret`: the issuer's public keys as a JWK Set (its `jwks` reply), text or object. */
  keys?: string | { keys: unknown[] }
  /** Required `iss`, when the issuer sets one. */
  issuer?: string
  /** Required `aud`, when the issuer sets one; required of a trusted issuer's tokens too, unless it has an `audience` of its own. */
  audience?: string
  /** Leeway in seconds for `exp` and `nbf` (0). */
  clockTolerance?: number
  /**
   * Other issuers (Auth0, Cognito, Cloudflare Access, Supabase, another hallpass) whose access tokens
   * pass with the keys they publish: `[{ issuer, jwks_uri, audience?, algorithms? }]` or its JSON
   * text. A token is theirs by its exact `iss`, and only their keys verify it. Alone or next to
   * `secret`/`keys`.
   */
  trustedIssuers?: string | readonly TrustedIssuerConfig[]
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
  /** What fetches the JWK Sets; the global `fetch` by default. */
  fetch?: FetchLike
  /** Told why a JWK Set could not be fetched (issuer and reason, never a token); `console.warn` by default. */
  onWarning?: (message: string) => void
  verifier?: never
}

/** Verify with something else: a Hallpass instance, or `serviceVerifier(env.HALLPASS)` (revocation-aware). */
export interface VerifierOptions extends CommonOptions {
  verifier: Verifier
  secret?: never
  keys?: never
  trustedIssuers?: never
}

export type HallpassMiddlewareOptions = SecretOptions | VerifierOptions

/** The context variables the middleware sets: `c.get('jwtPayload')` holds all claims of the token. */
export type HallpassVariables = { jwtPayload: JsonObject }
export type HallpassEnv = { Variables: HallpassVariables }

/** RFC 6750 §2.1: `Bearer` then a b64token (a compact JWS fits). */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i
const BEARER_SCHEME = /^Bearer(?: |$)/i
/** A realm goes into a quoted-string: printable ASCII without `"` and `\`. */
const SAFE_REALM = /^[\x20\x21\x23-\x5b\x5d-\x7e]+$/

function optional(value: unknown, name: string, check: (v: unknown) => boolean, what: string): void {
  if (value !== undefined && !check(value)) throw new ConfigError(`hallpass(): ${name} must be ${what}`)
}

function checkOptions(options: HallpassMiddlewareOptions): { verifier: Verifier } | { secretOptions: SecretOptions } {
  if (typeof options !== 'object' || options === null) throw new ConfigError('hallpass(): options must be an object: { secret }, { keys }, { trustedIssuers } or { verifier }')
  optional(options.realm, 'realm', (v) => typeof v === 'string' && SAFE_REALM.test(v), 'printable ASCII without " or \\')
  const given = [options.secret, options.keys, options.verifier].filter((option) => option !== undefined).length
  const hasVerifier = options.verifier !== undefined
  if (given > 1 || (hasVerifier && options.trustedIssuers !== undefined)) throw new ConfigError('hallpass(): give one of secret, keys and verifier (trustedIssuers goes with secret or keys, or alone)')
  if (given === 0 && options.trustedIssuers === undefined) throw new ConfigError('hallpass(): give one of secret, keys, trustedIssuers and verifier')
  if (hasVerifier) {
    if (typeof options.verifier?.verify !== 'function') throw new ConfigError('hallpass(): verifier must have a verify(token) method')
    return { verifier: options.verifier! }
  }
  const secretOptions = options as SecretOptions
  if (secretOptions.trustedIssuers !== undefined) {
    optional(secretOptions.issuer, 'issuer', (v) => typeof v === 'string' && v !== '', 'a non-empty string')
    checkTrustedIssuers(secretOptions.trustedIssuers, secretOptions.issuer, 'hallpass(): trustedIssuers')
    optional(secretOptions.jwksCache, 'jwksCache', (v) => v === false || (typeof v === 'object' && v !== null && typeof (v as JwksCache).read === 'function' && typeof (v as JwksCache).write === 'function'), 'false or { read(uri), write(uri, entry) }')
    optional(secretOptions.jwksCacheKey, 'jwksCacheKey', (v) => (typeof v === 'string' ? utf8(v) : v instanceof Uint8Array ? v : new Uint8Array()).length >= MIN_SECRET_BYTES, `a secret of at least ${MIN_SECRET_BYTES} bytes`)
    optional(secretOptions.fetch, 'fetch', (v) => typeof v === 'function', 'a function')
  }
  if (secretOptions.secret === undefined && secretOptions.keys === undefined) {
    // trustedIssuers alone: nothing more to check here.
  } else if (secretOptions.secret !== undefined) {
    if (typeof secretOptions.secret !== 'string' && !(secretOptions.secret instanceof Uint8Array)) throw new ConfigError('hallpass(): secret must be a string or bytes')
    parseSecret(secretOptions.secret, 'hallpass(): secret') // throws on a short or broken key, naming never the key
  } else {
    // The same checks as at import, now: a bad key set fails at startup, not at the first request.
    for (const [index, key] of keysOf(secretOptions.keys, 'hallpass(): keys').entries()) checkJwk(key, index, 'hallpass(): keys')
  }
  const nonEmpty = (v: unknown) => typeof v === 'string' && v !== ''
  optional(secretOptions.issuer, 'issuer', nonEmpty, 'a non-empty string')
  optional(secretOptions.audience, 'audience', nonEmpty, 'a non-empty string')
  optional(secretOptions.clockTolerance, 'clockTolerance', (v) => Number.isSafeInteger(v) && (v as number) >= 0, 'a whole number of seconds')
  return { secretOptions }
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

/**
 * A middleware that answers 401 unless the request carries `Authorization: Bearer <access token>`
 * that verifies, and otherwise sets `jwtPayload` and calls the next handler. The options are
 * checked here, at once: a bad secret fails at startup, not at the first request.
 */
export function hallpass(options: HallpassMiddlewareOptions): MiddlewareHandler<HallpassEnv> {
  const checked = checkOptions(options)
  const realm = options.realm ?? 'hallpass'
  let verifier: Verifier
  if ('verifier' in checked) {
    verifier = checked.verifier
  } else {
    const { secret, keys, issuer, audience, clockTolerance, trustedIssuers, jwksCache, jwksCacheKey, fetch, onWarning } = checked.secretOptions
    let pending: Promise<Verifier> | undefined
    // Keys are imported on first use (WebCrypto is async), once per middleware; trusted issuers'
    // keys are fetched on first use too, and kept in memory and in the Workers Cache API.
    verifier = {
      async verify(token) {
        pending ??= createVerifier({
          ...(secret !== undefined ? { secret } : keys !== undefined ? { keys } : {}),
          ...(issuer === undefined ? {} : { issuer }),
          ...(audience === undefined ? {} : { audience }),
          ...(clockTolerance === undefined ? {} : { clockTolerance }),
          ...(trustedIssuers === undefined ? {} : { trustedIssuers }),
          ...jwksCacheOption(jwksCache, jwksCacheKey ?? secret),
          ...(fetch === undefined ? {} : { fetch }),
          ...(onWarning === undefined ? {} : { onWarning }),
        })
        return (await pending).verify(token)
      },
    }
  }

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
    } catch (error) {
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
