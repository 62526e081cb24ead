// createHallpass: the composition root of the core. It checks the options against the settings
// table, imports the keys once and hands the operations one shared context.
import { ConfigError } from './errors.ts'
import type { JsonObject } from './jws/compact.ts'
import { encodeHeader } from './jws/sign.ts'
import { ACCESS_TYP, REFRESH_TYP, type TokenKind } from './jwt/typ.ts'
import { hmacRingKey, type HmacFactory } from './keys/hmac.ts'
import { KeyRing, KeySelector, type RingKey } from './keys/ring.ts'
import { deriveRefreshSecret, parseSecret, randomSecret, sameBytes, type SecretMaterial } from './keys/secret.ts'
import { MessageHandler, type HandlerOptions } from './protocol/handler.ts'
import { checkedNumber, checkedText } from './protocol/settings.ts'
import { MemoryStore } from './store/memory.ts'
import type { TokenStore } from './store/types.ts'
import { VerifiedCache } from './tokens/cache.ts'
import type { Context, SigningKey } from './tokens/context.ts'
import { inspect, type Inspection } from './tokens/inspect.ts'
import { issue, type TokenSet } from './tokens/issue.ts'
import { refresh } from './tokens/refresh.ts'
import { revoke } from './tokens/revoke.ts'
import { verifyAccess } from './tokens/verify.ts'

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
  /** Decodes without verifying. */
  inspect(token: unknown): Inspection
  /** A protocol message handler over this instance (PROTOCOL.md). */
  handler(options?: HandlerOptions): MessageHandler
  /** Handles one protocol message with a default handler. */
  handle(message: unknown): Promise<JsonObject | null>
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

/** The header-and-signer pair of a ring key that signs tokens of `typ`. */
function signingKey(key: RingKey, typ: string): SigningKey {
  const header: JsonObject = { alg: key.alg, typ }
  if (key.kid !== undefined) header.kid = key.kid
  return { header: encodeHeader(header), signer: key.signer! }
}

/** Builds a hallpass instance: checks the options, imports both keys once. */
export async function createHallpass(options: HallpassOptions = {}): Promise<Hallpass> {
  const accessTtl = checkedNumber('accessTtl', options.accessTtl)
  const refreshTtl = checkedNumber('refreshTtl', options.refreshTtl)
  const clockTolerance = checkedNumber('clockTolerance', options.clockTolerance)
  const reuseInterval = checkedNumber('reuseInterval', options.reuseInterval)
  const verifyCache = checkedNumber('verifyCache', options.verifyCache)
  const issuer = checkedText('issuer', options.issuer)
  const audience = checkedText('audience', options.audience)
  const warn = options.onWarning ?? ((message: string) => console.warn(message))
  const [accessMaterial, refreshMaterial] = await resolveSecrets(options, warn)
  const [accessKey, refreshKey] = await Promise.all([
    hmacRingKey(accessMaterial.bytes, accessMaterial.kid, options.hmac),
    hmacRingKey(refreshMaterial.bytes, refreshMaterial.kid, options.hmac),
  ])
  const clock = options.clock ?? Date.now
  const ctx: Context = {
    // With one secret per kind, a header's kid is not used to find the key (PROTOCOL v1).
    keys: new KeySelector(new KeyRing([accessKey], { findByKid: false }), new KeyRing([refreshKey], { findByKid: false })),
    access: signingKey(accessKey, ACCESS_TYP),
    refresh: signingKey(refreshKey, REFRESH_TYP),
    accessTtl,
    refreshTtl,
    issuer,
    audience,
    clockTolerance,
    reuseInterval,
    store: options.store ?? new MemoryStore(),
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
