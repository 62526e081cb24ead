// createHallpass: the composition root of the core. It checks the options against the settings
// table, imports the keys once and hands the operations one shared context.
import type { JsonObject } from './jws/compact.ts'
import { ACCESS_TYP, REFRESH_TYP, type TokenKind } from './jwt/typ.ts'
import { resolveKeys } from './keys/resolve.ts'
import { OwnKeys } from './keys/ring.ts'
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
import { checkVerifyOptions, trustedIssuersOf, type VerifyOptions } from './tokens/options.ts'
import { verifyAccess } from './tokens/verify.ts'

/** createHallpass's options: the ones every entry point verifies with, and what issuing and state need. */
export interface HallpassOptions extends VerifyOptions {
  /**
   * Key of refresh tokens, same forms as `secret`, or (with `keys`) a JWK Set of HS256 `oct` keys
   * with kids: the first signs, all verify. Derived from `secret` with HKDF when absent; required
   * with `keys` (unless no key of `keys` signs: a verify-only instance).
   */
  refreshSecret?: string | Uint8Array<ArrayBuffer>
  /** The `kid` of the key in `keys` that signs new access tokens (the first with private material). */
  signingKid?: string
  /** Access-token lifetime in seconds (900). */
  accessTtl?: number
  /** Refresh-token lifetime in seconds (604800). */
  refreshTtl?: number
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
  /**
   * Verified access tokens to remember (an LRU keyed by the whole token); 0, the default, turns
   * the cache off. Cached payloads are frozen and shared. Expiry and revocation are checked on
   * every hit.
   */
  verifyCache?: number
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
  const reuseInterval = checkedNumber('reuseInterval', options.reuseInterval)
  const verifyCache = checkedNumber('verifyCache', options.verifyCache)
  const storeWait = checkedNumber('storeWait', options.storeWait)
  const checked = checkVerifyOptions(options, 'environment')
  const { issuer, audience, clockTolerance, clock, warn } = checked
  const keys = await resolveKeys(
    { secret: options.secret, refreshSecret: options.refreshSecret, keys: options.keys, signingKid: checkedText('signingKid', options.signingKid), crypto: options.crypto, warn },
    ACCESS_TYP,
    REFRESH_TYP,
  )
  const ctx: Context = {
    keys: new OwnKeys(keys.access, keys.refresh),
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
    trusted: trustedIssuersOf(checked, options, 'HALLPASS_AUDIENCE'),
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
