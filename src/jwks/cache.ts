// Fetched JWK Sets kept beyond one instance's memory: the Workers Cache API at the edge, so a fresh
// isolate verifies without fetching. Every Worker of a zone shares that cache, so its entries are
// named and sealed with keys derived from a secret of this deployment's.
import { ConfigError, JwksError } from '../errors.ts'
import { decode, encode, utf8 } from '../lib/base64url.ts'
import { MIN_SECRET_BYTES } from '../keys/secret.ts'
import { JWKS_LIMITS } from './fetch.ts'

/** A fetched JWK Set as a shared cache keeps it. */
export interface JwksEntry {
  /** The JWK Set's JSON text, as fetched. */
  body: string
  /** When it was fetched, epoch milliseconds. */
  fetchedAt: number
  /** Seconds it is fresh for (Cache-Control max-age, held within 60 s – 24 h). */
  maxAge: number
}

/**
 * A cache of JWK Sets beyond this instance's memory, keyed by jwks_uri (the Workers Cache API at the
 * edge: `cacheApiJwksCache`). Read once per key set when its memory is empty; written on every
 * successful fetch. Its failures are logged and otherwise ignored; a JwksError from `read` (an
 * entry that fails authentication) is logged with its text, then the set is fetched. What it
 * returns is trusted as the issuer's keys: only code this instance trusts may write to it.
 */
export interface JwksCache {
  read(uri: string): Promise<JwksEntry | undefined>
  write(uri: string, entry: JwksEntry): Promise<void>
}

export function isEntry(value: unknown): value is JwksEntry {
  const entry = value as JwksEntry
  return typeof entry === 'object' && entry !== null && typeof entry.body === 'string' && Number.isFinite(entry.fetchedAt) && Number.isFinite(entry.maxAge)
}

/** The part of the Cache API a JwksCache needs (`caches.default` on Workers, `await caches.open(…)` elsewhere). */
export interface CacheLike {
  match(request: string): Promise<Response | undefined>
  put(request: string, response: Response): Promise<void>
}

/** The two HMAC keys of a cache secret: one names an entry, the other seals it. */
interface CacheKeys {
  locate: CryptoKey
  seal: CryptoKey
}

/** HKDF-SHA256 of the secret into two HMAC-SHA256 keys, each bound to its purpose: never the secret itself. */
async function cacheKeys(secret: Uint8Array<ArrayBuffer>): Promise<CacheKeys> {
  const material = await crypto.subtle.importKey('raw', secret, 'HKDF', false, ['deriveKey'])
  const derive = (info: string) =>
    crypto.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: utf8('hallpass'), info: utf8(info) }, material, { name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign', 'verify'])
  const [locate, seal] = await Promise.all([derive('hallpass jwks-cache url v2'), derive('hallpass jwks-cache entry v2')])
  return { locate, seal }
}

async function entryUrl(keys: CacheKeys, uri: string): Promise<string> {
  const name = new Uint8Array(await crypto.subtle.sign('HMAC', keys.locate, utf8(uri)))
  return `https://jwks-cache.hallpass.invalid/v2/${encode(name)}`
}

/** What an entry's MAC covers: everything read back from it, and the jwks_uri it stands for. */
function sealed(uri: string, entry: JwksEntry): Uint8Array<ArrayBuffer> {
  return utf8(JSON.stringify([uri, entry.fetchedAt, entry.maxAge, entry.body]))
}

/** Whether `mac` (base64url) is the HMAC of `data` under `key`; compared inside WebCrypto, in constant time. */
async function macMatches(key: CryptoKey, mac: unknown, data: Uint8Array<ArrayBuffer>): Promise<boolean> {
  if (typeof mac !== 'string') return false
  let bytes: Uint8Array<ArrayBuffer>
  try {
    bytes = decode(mac)
  } catch {
    return false
  }
  return crypto.subtle.verify('HMAC', key, bytes, data)
}

function cacheSecretBytes(secret: string | Uint8Array<ArrayBuffer>, caller: string): Uint8Array<ArrayBuffer> {
  const bytes = typeof secret === 'string' ? utf8(secret) : secret
  if (!(bytes instanceof Uint8Array) || bytes.length < MIN_SECRET_BYTES) throw new ConfigError(`${caller}: the JWKS cache's secret must be at least ${MIN_SECRET_BYTES} bytes`)
  return bytes
}

/** The Cache API URL `cacheApiJwksCache(cache, secret)` keeps jwks_uri's entry under (tests, and whoever must purge it). */
export async function jwksCacheUrl(secret: string | Uint8Array<ArrayBuffer>, uri: string): Promise<string> {
  return entryUrl(await cacheKeys(cacheSecretBytes(secret, 'jwksCacheUrl()')), uri)
}

/**
 * A JwksCache over the Cache API: one entry per jwks_uri, holding the body, when it was fetched and
 * its max-age, kept by the cache for 24 h (the stale-if-error bound). Every Worker on a zone shares
 * `caches.default`, so an entry a neighbour put there must not pass as an issuer's keys: the entry's
 * URL is an HMAC of the jwks_uri (no one without `secret` can name it) and the entry carries an HMAC
 * over its contents and the jwks_uri, checked on every read; an entry that fails is ignored (`read`
 * throws JwksError, which the key set logs) and the set is fetched. Both HMAC keys are derived from
 * `secret` (at least 32 bytes, e.g. HALLPASS_SECRET) with HKDF-SHA256; the secret itself touches
 * nothing else. On Workers this is per data center and survives isolates; on a workers.dev
 * hostname the Cache API stores nothing, so only isolate memory is left there.
 */
export function cacheApiJwksCache(cache: CacheLike, secret: string | Uint8Array<ArrayBuffer>): JwksCache {
  const bytes = cacheSecretBytes(secret, 'cacheApiJwksCache()')
  // Derived at the first use (WebCrypto is asynchronous), once.
  let derivation: Promise<CacheKeys> | undefined
  const derived = () => (derivation ??= cacheKeys(bytes))
  return {
    async read(uri) {
      const keys = await derived()
      const response = await cache.match(await entryUrl(keys, uri))
      if (response === undefined) return undefined
      const stored: unknown = await response.json().catch(() => undefined)
      if (isEntry(stored)) {
        const entry = { body: stored.body, fetchedAt: stored.fetchedAt, maxAge: stored.maxAge }
        if (await macMatches(keys.seal, (stored as { mac?: unknown }).mac, sealed(uri, entry))) return entry
      }
      throw new JwksError('it failed authentication (forged, or corrupted)')
    },
    async write(uri, entry) {
      const keys = await derived()
      const clean = { body: entry.body, fetchedAt: entry.fetchedAt, maxAge: entry.maxAge }
      const mac = encode(new Uint8Array(await crypto.subtle.sign('HMAC', keys.seal, sealed(uri, clean))))
      const seconds = Math.ceil(JWKS_LIMITS.staleIfErrorMs / 1000)
      await cache.put(await entryUrl(keys, uri), new Response(JSON.stringify({ ...clean, mac }), { headers: { 'Content-Type': 'application/json', 'Cache-Control': `max-age=${seconds}` } }))
    },
  }
}

/**
 * The Workers Cache API (`caches.default`) as a JwksCache keyed and sealed by `secret`, where there
 * is one; undefined elsewhere.
 */
export function defaultJwksCache(secret: string | Uint8Array<ArrayBuffer>): JwksCache | undefined {
  const cache = (globalThis as { caches?: { default?: CacheLike } }).caches?.default
  return cache === undefined ? undefined : cacheApiJwksCache(cache, secret)
}
