// createHallpass: the composition root of the core. It checks the options against the settings
// table, imports the keys once and hands the operations one shared context.
import type { JsonObject } from './jws/compact.ts'
import { ACCESS_TYP, REFRESH_TYP, type TokenKind } from './jwt/typ.ts'
import type { CryptoProvider } from './keys/crypto.ts'
import { resolveKeys } from './keys/resolve.ts'
import type { FetchLike, JwksCache } from './keys/remote.ts'
import { KeySelector } from './keys/ring.ts'
import { checkTrustedIssuers, trustedIssuers, type TrustedIssuerConfig } from './keys/trusted.ts'
import { promised } from './lib/maybe.ts'
import { MessageHandler, type HandlerOptions, type Operations } from './protocol/handler.ts'
import { checkedNumber, checkedText } from './protocol/settings.ts'
import { MemoryStore } from './store/memory.ts'
import type { TokenStore } from './store/types.ts'
import { VerifiedCache } from './tokens/cache.ts'
import type { Context } from './tokens/context.ts'
import { inspect, type Inspection } from './tokens/inspect.ts'
import { issue, type TokenSet } from './tokens/issue.ts'
import { refresh } from './tokens/refresh.ts'
import { IssueClock } from './tokens/clock.ts'
import { RefreshDoubts } from './tokens/doubts.ts'
import { revoke, revokeSubject } from './tokens/revoke.ts'
import { verifyAccess } from './tokens/verify.ts'

export interface HallpassOptions {
  /** HS256 key of access tokens: a string (its UTF-8 bytes), a JSON JWK, or raw bytes; ≥ 32 bytes. Random when absent. */
  secret?: string | Uint8Array<ArrayBuffer>
  /**
   * Key of refresh tokens, same forms, or (with `keys`) a JWK Set of HS256 `oct` keys with kids: the
   * first signs, all verify. Derived from `secret` with HKDF when absent; required with `keys`.
   */
  refreshSecret?: string | Uint8Array<ArrayBuffer>
  /**
   * The access-token key ring instead of `secret`: a JWK Set (JSON text or object) of HS256/384/512,
   * RS256, PS256, ES256, ES384 or EdDSA keys, each with its `alg`. Keys with private material sign
   * and verify; public keys only verify. Without any private key the node only verifies.
   */
  keys?: string | { keys: unknown[] }
  /** The `kid` of the key in `keys` that signs new access tokens (the first with private material). */
  signingKid?: string
  /** Access-token lifetime in seconds (900). */
  accessTtl?: number
  /** Refresh-token lifetime in seconds (604800). */
  refreshTtl?: number
  /** Put in issued tokens as `iss` and required on verify. */
  issuer?: string
  /**
   * Put in issued tokens as `aud` and required on verify; required of a trusted issuer's tokens too,
   * unless that issuer has an `audience` of its own.
   */
  audience?: string
  /** Leeway in seconds for `exp` and `nbf` (0). */
  clockTolerance?: number
  /**
   * Seconds after a rotation during which the refresh token just spent may be presented once more
   * (two tabs racing) and gets the same successor instead of revoking the family (0: never).
   */
  reuseInterval?: number
  /** Refresh families and revocations; an in-memory store by default. */
  store?: TokenStore
  /**
   * Seconds a state change may wait for the store before it fails (HALLPASS_STORE_WAIT, 10): a
   * refresh that failed so may be retried with the same token within this + 60 s and gets the
   * successor that was committed, if one was.
   */
  storeWait?: number
  /** The clock, epoch milliseconds (`Date.now`). */
  clock?: () => number
  /**
   * Verified access tokens to remember (an LRU keyed by the whole token); 0, the default, turns
   * the cache off. Cached payloads are frozen and shared. Expiry and revocation are checked on
   * every hit.
   */
  verifyCache?: number
  /** Signing and verifying primitives; WebCrypto by default. The stdin node plugs in node:crypto. */
  crypto?: CryptoProvider
  /**
   * Told of configuration warnings (a random secret) and of a trusted issuer's JWKS that cannot be
   * fetched (the issuer and the reason, never a token); `console.warn` by default.
   */
  onWarning?: (message: string) => void
  /**
   * Other issuers whose access tokens this instance verifies with the keys they publish
   * (HALLPASS_TRUSTED_ISSUERS): JSON text or the array of `{ issuer, jwks_uri, audience?, algorithms? }`.
   */
  trustedIssuers?: string | readonly TrustedIssuerConfig[]
  /**
   * Where fetched JWK Sets are kept beyond this instance's memory (the worker passes the Workers Cache
   * API: `cacheApiJwksCache(caches.default, secret)`), so a new instance verifies without fetching.
   * What it returns is trusted as the issuers' keys.
   */
  jwksCache?: JwksCache
  /** What fetches trusted issuers' JWK Sets; the global `fetch` by default. */
  fetch?: FetchLike
}

/** The defaults of the numeric options, from the settings table. */
export const DEFAULTS = { accessTtl: checkedNumber('accessTtl', undefined), refreshTtl: checkedNumber('refreshTtl', undefined), clockTolerance: checkedNumber('clockTolerance', undefined) } as const

export interface Hallpass {
  /** Issues an access token and a refresh token for `claims` (a JSON object with a non-empty `sub`). */
  issue(claims: unknown): Promise<TokenSet>
  /** All claims of a valid, unrevoked access token; throws TokenError otherwise. */
  verify(token: unknown): Promise<JsonObject>
  /** Spends a refresh token: a new access token and the next refresh token. */
  refresh(refreshToken: unknown): Promise<TokenSet>
  /** Revokes an access token, or a refresh token's whole family. */
  revoke(token: unknown): Promise<{ kind: TokenKind }>
  /** Logs `sub` out everywhere: its families and every token of it issued until now are refused. */
  revokeSubject(sub: unknown): Promise<{ sub: string }>
  /** Decodes without verifying. */
  inspect(token: unknown): Inspection
  /** The public JWKs of the asymmetric access keys (`jwks`): never an `oct` key, never private material. */
  jwks(): Array<JsonWebKey & { kid: string }>
  /** A protocol message handler over this instance (PROTOCOL.md). */
  handler(options?: HandlerOptions): MessageHandler
  /** Handles one protocol message with a default handler. */
  handle(message: unknown): Promise<JsonObject | null>
}

/** Builds a hallpass instance: checks the options, imports both keys once. */
export async function createHallpass(options: HallpassOptions = {}): Promise<Hallpass> {
  const accessTtl = checkedNumber('accessTtl', options.accessTtl)
  const refreshTtl = checkedNumber('refreshTtl', options.refreshTtl)
  const clockTolerance = checkedNumber('clockTolerance', options.clockTolerance)
  const reuseInterval = checkedNumber('reuseInterval', options.reuseInterval)
  const verifyCache = checkedNumber('verifyCache', options.verifyCache)
  const storeWait = checkedNumber('storeWait', options.storeWait)
  const issuer = checkedText('issuer', options.issuer)
  const audience = checkedText('audience', options.audience)
  const warn = options.onWarning ?? ((message: string) => console.warn(message))
  const trusted = options.trustedIssuers === undefined ? [] : checkTrustedIssuers(options.trustedIssuers, issuer)
  const keys = await resolveKeys(
    { secret: options.secret, refreshSecret: options.refreshSecret, keys: options.keys, signingKid: checkedText('signingKid', options.signingKid), crypto: options.crypto, warn },
    ACCESS_TYP,
    REFRESH_TYP,
  )
  const clock = options.clock ?? Date.now
  const ctx: Context = {
    keys: new KeySelector(keys.access, keys.refresh),
    decodeText: options.crypto?.decodeText,
    encodeText: options.crypto?.encodeText,
    access: keys.accessSigner,
    refresh: keys.refreshSigner,
    published: keys.published,
    accessTtl,
    refreshTtl,
    issuer,
    audience,
    clockTolerance,
    reuseInterval,
    store: options.store ?? new MemoryStore(),
    doubts: new RefreshDoubts(storeWait + 60),
    issueClock: new IssueClock(clock),
    cache: verifyCache > 0 ? new VerifiedCache(verifyCache) : undefined,
    now: () => Math.floor(clock() / 1000),
    trusted: trustedIssuers(trusted, { fetch: options.fetch, clock, cache: options.jwksCache, log: warn, crypto: options.crypto, clockTolerance, audience, audienceSetting: 'HALLPASS_AUDIENCE' }),
  }
  // What the handler runs: a synchronous result is handed on as it is (lib/maybe.ts).
  const operations = {
    issue: (claims: unknown) => issue(ctx, claims),
    verify: (token: unknown) => verifyAccess(ctx, token),
    refresh: (token: unknown) => refresh(ctx, token),
    revoke: (token: unknown) => revoke(ctx, token),
    revokeSubject: (sub: unknown) => revokeSubject(ctx, sub),
    inspect,
    jwks: () => ctx.published.map((key) => ({ ...key })),
  } satisfies Operations
  let defaultHandler: MessageHandler | undefined
  const hp: Hallpass = {
    ...operations,
    // The library's API is promises: a synchronous throw becomes a rejection.
    issue: (claims) => promised(() => operations.issue(claims)),
    verify: (token) => promised(() => operations.verify(token)),
    handler: (handlerOptions) => new MessageHandler(operations, handlerOptions),
    handle: (message) => (defaultHandler ??= new MessageHandler(operations)).handle(message),
  }
  return hp
}
