import { VerifiedCache } from './cache.ts'
import { ACCESS_TYP, REFRESH_TYP, type Context } from './context.ts'
import { ConfigError } from './errors.ts'
import { MessageHandler, type HandlerOptions } from './handler.ts'
import { issue, type TokenSet } from './issue.ts'
import { inspect, type Inspection } from './inspect.ts'
import type { JsonObject } from './jws.ts'
import { encodeHeader } from './jws.ts'
import { deriveRefreshSecret, importHmacKey, parseSecret, randomSecret, sameBytes, type HmacFactory, type SecretMaterial } from './keys.ts'
import { refresh } from './refresh.ts'
import { revoke } from './revoke.ts'
import { MemoryStore, type TokenStore } from './store.ts'
import { verifyAccess, type TokenKind } from './verify.ts'

export interface HallpassOptions {
  /** HS256 key of access tokens: a string (its UTF-8 bytes), a JSON JWK, or raw bytes; ≥ 32 bytes. Random when absent. */
  secret?: string | Uint8Array<ArrayBuffer>
  /** Key of refresh tokens, same forms. Derived from `secret` with HKDF when absent; never equal to it. */
  refreshSecret?: string | Uint8Array<ArrayBuffer>
  /** Access-token lifetime in seconds (900). */
  accessTtl?: number
  /** Refresh-token lifetime in seconds (604800). */
  refreshTtl?: number
  /** Put in issued tokens as `iss` and required on verify. */
  issuer?: string
  /** Put in issued tokens as `aud` and required on verify. */
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
  /** The clock, epoch milliseconds (`Date.now`). */
  clock?: () => number
  /**
   * Verified access tokens to remember (an LRU keyed by the whole token); 0, the default, turns
   * the cache off. Cached payloads are frozen and shared. Expiry and revocation are checked on
   * every hit.
   */
  verifyCache?: number
  /** HMAC implementation; WebCrypto by default. The stdin node plugs in node:crypto. */
  hmac?: HmacFactory
  /** Told of configuration warnings (a random secret); `console.warn` by default. */
  onWarning?: (message: string) => void
}

export const DEFAULTS = { accessTtl: 900, refreshTtl: 604800, clockTolerance: 0 } as const

export interface Hallpass {
  /** Issues an access token and a refresh token for `claims` (a JSON object with a non-empty `sub`). */
  issue(claims: unknown): Promise<TokenSet>
  /** All claims of a valid, unrevoked access token; throws TokenError otherwise. */
  verify(token: unknown): Promise<JsonObject>
  /** Spends a refresh token: a new access token and the next refresh token. */
  refresh(refreshToken: unknown): Promise<TokenSet>
  /** Revokes an access token, or a refresh token's whole family. */
  revoke(token: unknown): Promise<{ kind: TokenKind }>
  /** Decodes without verifying. */
  inspect(token: unknown): Inspection
  /** A protocol message handler over this instance (PROTOCOL.md). */
  handler(options?: HandlerOptions): MessageHandler
  /** Handles one protocol message with a default handler. */
  handle(message: unknown): Promise<JsonObject | null>
}

function wholeNumber(value: number | undefined, fallback: number, name: string, allowZero: boolean, unit = 'seconds'): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new ConfigError(`${name} must be a whole number of ${unit}${allowZero ? '' : ' above 0'}`)
  }
  return value
}

async function resolveSecrets(options: HallpassOptions, warn: (message: string) => void): Promise<[SecretMaterial, SecretMaterial]> {
  let access: SecretMaterial
  if (options.secret === undefined) {
    access = randomSecret()
    warn('HALLPASS_SECRET is not set: using a random secret for this process. Its tokens stop verifying when it exits, and no other service can verify them.')
  } else {
    access = parseSecret(options.secret, 'HALLPASS_SECRET')
  }
  if (options.refreshSecret === undefined) return [access, await deriveRefreshSecret(access)]
  const refreshMaterial = parseSecret(options.refreshSecret, 'HALLPASS_REFRESH_SECRET')
  if (sameBytes(access.bytes, refreshMaterial.bytes)) {
    throw new ConfigError('HALLPASS_REFRESH_SECRET must differ from HALLPASS_SECRET: a refresh token must never verify as an access token')
  }
  return [access, refreshMaterial]
}

/** Builds a hallpass instance: checks the options, imports both keys once. */
export async function createHallpass(options: HallpassOptions = {}): Promise<Hallpass> {
  const accessTtl = wholeNumber(options.accessTtl, DEFAULTS.accessTtl, 'HALLPASS_ACCESS_TTL', false)
  const refreshTtl = wholeNumber(options.refreshTtl, DEFAULTS.refreshTtl, 'HALLPASS_REFRESH_TTL', false)
  const clockTolerance = wholeNumber(options.clockTolerance, DEFAULTS.clockTolerance, 'HALLPASS_CLOCK_TOLERANCE', true)
  const reuseInterval = wholeNumber(options.reuseInterval, 0, 'HALLPASS_REUSE_INTERVAL', true)
  const verifyCache = wholeNumber(options.verifyCache, 0, 'HALLPASS_VERIFY_CACHE', true, 'entries')
  for (const [name, value] of [['HALLPASS_ISSUER', options.issuer], ['HALLPASS_AUDIENCE', options.audience]] as const) {
    if (value !== undefined && (typeof value !== 'string' || value === '')) throw new ConfigError(`${name} must be a non-empty string`)
  }
  const warn = options.onWarning ?? ((message: string) => console.warn(message))
  const [accessMaterial, refreshMaterial] = await resolveSecrets(options, warn)
  const [accessKey, refreshKey] = await Promise.all([importHmacKey(accessMaterial, options.hmac), importHmacKey(refreshMaterial, options.hmac)])
  const clock = options.clock ?? Date.now
  const ctx: Context = {
    accessKey,
    refreshKey,
    accessHeader: encodeHeader(accessKey, ACCESS_TYP),
    refreshHeader: encodeHeader(refreshKey, REFRESH_TYP),
    accessTtl,
    refreshTtl,
    issuer: options.issuer,
    audience: options.audience,
    clockTolerance,
    reuseInterval,
    store: options.store ?? new MemoryStore(),
    headers: new Map(),
    cache: verifyCache > 0 ? new VerifiedCache(verifyCache) : undefined,
    now: () => Math.floor(clock() / 1000),
  }
  let defaultHandler: MessageHandler | undefined
  const hp: Hallpass = {
    issue: (claims) => issue(ctx, claims),
    verify: (token) => verifyAccess(ctx, token),
    refresh: (token) => refresh(ctx, token),
    revoke: (token) => revoke(ctx, token),
    inspect,
    handler: (handlerOptions) => new MessageHandler(hp, handlerOptions),
    handle: (message) => (defaultHandler ??= new MessageHandler(hp)).handle(message),
  }
  return hp
}
