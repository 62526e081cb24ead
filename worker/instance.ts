// One hallpass instance per isolate and configuration: key import and HKDF run once, not per
// request. Bindings are read with the PROTOCOL names, plus HALLPASS_ISSUER_KEY.
import { cacheApiJwksCache, checkedNumber, ConfigError, createHallpass, MIN_SECRET_BYTES, optionsFromEnvironment, readSetting, SETTINGS, type Hallpass, type JwksCache, type Setting } from '../src/internal.ts'
import type { Context } from 'hono'
import type { AppEnv, Env } from './env.ts'
import { DurableObjectStore } from './store.ts'

export interface Instance {
  hp: Hallpass
  /** Its state: the Durable Objects, and this isolate's view of the revocations. */
  store: DurableObjectStore
  /** GET /.well-known/jwks.json: the body and its ETag, made once per instance (the keys never change in it). */
  jwks: { body: string; etag: string }
  /** SHA-256 of HALLPASS_ISSUER_KEY; undefined when unset (issuing over HTTP is refused). */
  issuerKeyDigest: ArrayBuffer | undefined
}

/** The bindings the worker reads: every setting of the table that is not the stdin node's alone. */
const CONFIG_NAMES = Object.values(SETTINGS as Record<string, Setting>).filter((setting) => setting.where !== 'node').map((setting) => setting.env)

/** Configurations kept per isolate; more than one only when bindings differ (tests, overrides). */
const MAX_CONFIGURATIONS = 8

/** Keyed by the Durable Object namespaces too, so an instance never talks to another binding's objects. */
const cache = new WeakMap<object, Map<string, Promise<Instance>>>()
const NAMESPACES = ['REFRESH_FAMILIES', 'REVOCATIONS', 'REVOCATION_FEED'] as const

function configurationsFor(env: Env): Map<string, Promise<Instance>> {
  // One level per namespace: a WeakMap whose values are WeakMaps, the last one's the configurations.
  let level = cache as WeakMap<object, unknown>
  for (const [i, name] of NAMESPACES.entries()) {
    const last = i === NAMESPACES.length - 1
    let next = level.get(env[name]) as WeakMap<object, unknown> | Map<string, Promise<Instance>> | undefined
    if (next === undefined) level.set(env[name], (next = last ? new Map() : new WeakMap()))
    if (last) return next as Map<string, Promise<Instance>>
    level = next as WeakMap<object, unknown>
  }
  throw new Error('unreachable')
}

const encoder = new TextEncoder()

function encodeBase64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

export function sha256(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest('SHA-256', encoder.encode(text))
}

/** The configuration variables as strings (a [vars] entry may be a TOML number). */
function configuration(env: Env): Record<string, string> {
  const record = env as unknown as Record<string, unknown>
  for (const binding of NAMESPACES) {
    const value = record[binding]
    if (typeof value !== 'object' || value === null) throw new ConfigError(`the Durable Object binding ${binding} is missing: see wrangler.toml`)
  }
  const out: Record<string, string> = {}
  for (const name of CONFIG_NAMES) {
    const value = record[name]
    if (value === undefined || value === null) continue
    if (typeof value === 'number' || typeof value === 'string') out[name] = String(value)
    else throw new ConfigError(`${name} must be a string`)
  }
  return out
}

async function build(env: Env, config: Record<string, string>): Promise<Instance> {
  if (!config.HALLPASS_SECRET && !config.HALLPASS_KEYS) {
    // A random per-isolate key would make tokens fail at random on other isolates: refuse.
    throw new ConfigError('neither HALLPASS_SECRET nor HALLPASS_KEYS is set: `wrangler secret put HALLPASS_SECRET` (at least 32 bytes) or HALLPASS_KEYS (a JWK Set), or put one in .dev.vars')
  }
  const issuerKey = config.HALLPASS_ISSUER_KEY
  if (issuerKey !== undefined && issuerKey !== '') {
    if (encoder.encode(issuerKey).length < MIN_SECRET_BYTES) {
      throw new ConfigError(`HALLPASS_ISSUER_KEY is too short: it needs at least ${MIN_SECRET_BYTES} bytes`)
    }
    if (issuerKey === config.HALLPASS_SECRET || issuerKey === config.HALLPASS_REFRESH_SECRET) {
      throw new ConfigError('HALLPASS_ISSUER_KEY must differ from HALLPASS_SECRET and HALLPASS_REFRESH_SECRET')
    }
  }
  const jwksCache = sharedJwksCache(config)
  const options = optionsFromEnvironment(config)
  const store = new DurableObjectStore(env, {
    onUnavailable: logStoreUnavailable,
    stalenessMs: checkedNumber('revocationStaleness', readSetting(config, 'revocationStaleness')),
    // Revocations older than this cannot refuse a live access token: the feed's window.
    windowMs: (checkedNumber('accessTtl', options.accessTtl) + checkedNumber('clockTolerance', options.clockTolerance) + 60) * 1000,
    log: (message) => console.warn(`hallpass: ${message}`),
  })
  const hp = await createHallpass({
    ...options,
    store,
    onWarning: (message) => console.warn(`hallpass: ${message}`),
    // Trusted issuers' JWK Sets: isolate memory first, then this data center's Cache API, so a new
    // isolate verifies without fetching; every fetch writes both.
    ...(jwksCache === undefined ? {} : { jwksCache }),
  })
  const jwksBody = JSON.stringify({ keys: hp.jwks() })
  const jwks = { body: jwksBody, etag: `"${encodeBase64url(new Uint8Array(await sha256(jwksBody)))}"` }
  return { hp, store, jwks, issuerKeyDigest: issuerKey === undefined || issuerKey === '' ? undefined : await sha256(issuerKey) }
}

/**
 * The Cache API as the JWKS cache. Every Worker of the zone shares `caches.default`, so entries are
 * named and sealed with HMAC keys derived from this deployment's secret (HALLPASS_SECRET, else
 * HALLPASS_REFRESH_SECRET, which HALLPASS_KEYS requires): no other Worker can plant a JWK Set. With
 * no secret of 32 bytes (createHallpass refuses a shorter one anyway) isolate memory alone.
 */
function sharedJwksCache(config: Record<string, string>): JwksCache | undefined {
  const secret = config.HALLPASS_SECRET || config.HALLPASS_REFRESH_SECRET
  return secret !== undefined && encoder.encode(secret).length >= MIN_SECRET_BYTES ? cacheApiJwksCache(caches.default, secret) : undefined
}

/** The cached instance for these bindings; rejects with ConfigError on a bad configuration. */
export function instanceFor(env: Env): Promise<Instance> {
  let config: Record<string, string>
  try {
    config = configuration(env)
  } catch (error) {
    return Promise.reject(error)
  }
  const key = JSON.stringify(CONFIG_NAMES.map((name) => config[name] ?? null))
  const byConfig = configurationsFor(env)
  let instance = byConfig.get(key)
  if (instance === undefined) {
    if (byConfig.size >= MAX_CONFIGURATIONS) byConfig.delete(byConfig.keys().next().value!)
    const map = byConfig
    instance = build(env, config)
    instance.catch(() => map.delete(key))
    map.set(key, instance)
  }
  return instance
}

/**
 * Whether `authorization` is `Bearer <HALLPASS_ISSUER_KEY>`. Both sides are hashed first, so the
 * comparison is constant-time over equal-length digests and leaks neither content nor length.
 */
export async function isIssuer(instance: Instance, authorization: string | undefined | null): Promise<boolean> {
  if (instance.issuerKeyDigest === undefined || !authorization) return false
  const match = /^Bearer +(\S(?:.*\S)?) *$/i.exec(authorization)
  if (match === null) return false
  const given = await sha256(match[1]!)
  return crypto.subtle.timingSafeEqual(given, instance.issuerKeyDigest)
}

/** Logs a failure to build the instance without leaking anything but the ConfigError text. */
export function logConfigError(error: unknown): void {
  if (error instanceof ConfigError) console.error(`hallpass: configuration error: ${error.message}`)
  else console.error(`hallpass: cannot start: ${error instanceof Error ? error.name : 'unknown error'}`)
}

/** The instance for this request's bindings, or the response that says the worker is misconfigured. */
export async function instanceOr500(c: Context<AppEnv>, misconfigured: () => Response): Promise<Instance | Response> {
  let instance: Instance
  try {
    instance = await instanceFor(c.env)
  } catch (error) {
    logConfigError(error)
    return misconfigured()
  }
  // A background update of the revocation view may outlive this response.
  let executionCtx: { waitUntil(work: Promise<unknown>): void } | undefined
  try {
    executionCtx = c.executionCtx
  } catch {
    // app.request() in tests: no execution context, and nothing to outlive.
  }
  if (executionCtx !== undefined) instance.store.keepAliveWith((work) => executionCtx.waitUntil(work))
  return instance
}

/** Why a Durable Object call failed: its error's name and message (no object holds a token). */
function logStoreUnavailable(error: unknown): void {
  console.error(`hallpass: store unavailable: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown'}`)
}

export function logInternalError(error: unknown): void {
  // Runtime failures and bugs only: TokenError and RequestError never get here, and no hallpass
  // error text carries a token or a secret.
  console.error(`hallpass: internal error: ${error instanceof Error ? (error.stack ?? error.name) : 'unknown'}`)
}
