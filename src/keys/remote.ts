// A trusted issuer's published keys: a JWK Set fetched from its jwks_uri, kept in memory, and
// optionally in a cache shared beyond this instance (the Workers Cache API at the edge), so a fresh
// isolate verifies without fetching. fetch and the clock are passed in: the core runs the same in
// every runtime.
//
// Why not jose's createRemoteJWKSet: its cache lives in one isolate (short-lived isolates fetch again
// and again), it has no stale-if-error, its `jwksCache` hook is a plain object filled synchronously
// (no asynchronous read of a shared cache), and its keys would be imported by jose, not by this
// node's CryptoProvider (node:crypto in the stdin node). Nor is jose a dependency of the core.
import { ConfigError, JwksError } from '../errors.ts'
import type { JsonObject } from '../jws/compact.ts'
import { decode, encode, utf8 } from '../lib/base64url.ts'
import { algorithmNamed, isSymmetric, keyAlgorithms, type Algorithm } from './algorithms.ts'
import { webCrypto, type CryptoProvider } from './crypto.ts'
import { checkJwk, thumbprint, type CheckedJwk } from './jwk.ts'
import { ringKey } from './resolve.ts'
import { KeyRing, type RingKey } from './ring.ts'
import { MIN_SECRET_BYTES } from './secret.ts'

/** The bounds of PROTOCOL's "Trusted issuers", in one place. */
export const JWKS_LIMITS = {
  /** A fetch, headers and body, ends within this (ms). */
  timeoutMs: 5_000,
  /** Longest body read; the fetch is aborted past it. */
  maxBytes: 512 * 1024,
  /** Cache-Control max-age is held within these (seconds), and taken as `defaultMaxAge` without one. */
  minMaxAge: 60,
  maxMaxAge: 24 * 60 * 60,
  defaultMaxAge: 600,
  /** An unknown kid refetches only when the last fetch started at least this long ago (ms). */
  refetchIntervalMs: 30_000,
  /** Keys fetched once keep verifying this long when refetches fail (ms). */
  staleIfErrorMs: 24 * 60 * 60 * 1000,
  /** Keys taken from one JWK Set at most: a huge set must not cost a key import per member. */
  maxKeys: 64,
} as const

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

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>

export interface RemoteKeySetOptions {
  /** The issuer, for log lines. */
  issuer: string
  uri: string
  /** The algorithms its keys may be bound to: asymmetric ones only. */
  algorithms: readonly Algorithm[]
  fetch?: FetchLike | undefined
  /** Epoch milliseconds (`Date.now`). */
  clock?: (() => number) | undefined
  cache?: JwksCache | undefined
  /** Told why a fetch failed (issuer, status or timeout; never a token). */
  log?: ((message: string) => void) | undefined
  crypto?: CryptoProvider | undefined
  /** Tests only: a shorter time bound than JWKS_LIMITS.timeoutMs. */
  timeoutMs?: number | undefined
}

/** Seconds of freshness a response grants: max-age minus Age, held within the bounds. */
export function freshness(headers: Headers): number {
  const control = headers.get('Cache-Control') ?? ''
  const match = /(?:^|,)\s*max-age\s*=\s*"?(\d{1,10})"?\s*(?:,|$)/i.exec(control)
  let seconds: number = JWKS_LIMITS.defaultMaxAge
  if (/(?:^|,)\s*(?:no-store|no-cache)\s*(?:,|=|$)/i.test(control)) seconds = 0
  else if (match !== null) seconds = Number(match[1]) - (Number(/^\d{1,10}$/.exec(headers.get('Age') ?? '')?.[0] ?? 0) || 0)
  return Math.min(JWKS_LIMITS.maxMaxAge, Math.max(JWKS_LIMITS.minMaxAge, seconds))
}

/** A promise that resolves with undefined after `ms`, and the way to stop its timer early. */
function delay(ms: number): { promise: Promise<undefined>; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined
  const promise = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms)
  })
  return {
    promise,
    cancel: () => {
      if (timer !== undefined) clearTimeout(timer)
    },
  }
}

/**
 * GETs a JWK Set: no redirect followed, status 200 only, at most `maxBytes` read (incrementally,
 * aborting past it), all within `timeoutMs`: the AbortSignal stops the request, and a timer race
 * ends the wait even where an aborted fetch never settles.
 */
export async function fetchJwks(fetchImpl: FetchLike, uri: string, timeoutMs: number, maxBytes: number = JWKS_LIMITS.maxBytes): Promise<{ body: string; maxAge: number }> {
  const controller = new AbortController()
  const attempt = async () => {
    const response = await fetchImpl(uri, { redirect: 'manual', signal: controller.signal, headers: { Accept: 'application/jwk-set+json, application/json' } })
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => {})
      throw new JwksError(response.status >= 300 && response.status < 400 ? `HTTP ${response.status}: redirects are not followed` : `HTTP ${response.status}`)
    }
    const declared = Number(response.headers.get('Content-Length') ?? 0)
    if (declared > maxBytes) {
      await response.body?.cancel().catch(() => {})
      throw new JwksError(`body of ${declared} bytes, over the ${maxBytes}-byte bound`)
    }
    const bytes = new Uint8Array(Math.min(declared || 16 * 1024, maxBytes))
    let buffer = bytes
    let length = 0
    if (response.body !== null) {
      const reader = response.body.getReader()
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        if (length + value.length > maxBytes) {
          await reader.cancel().catch(() => {})
          throw new JwksError(`body over the ${maxBytes}-byte bound`)
        }
        if (length + value.length > buffer.length) {
          const grown = new Uint8Array(Math.min(maxBytes, Math.max(buffer.length * 2, length + value.length)))
          grown.set(buffer.subarray(0, length))
          buffer = grown
        }
        buffer.set(value, length)
        length += value.length
      }
    }
    let body: string
    try {
      body = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(buffer.subarray(0, length))
    } catch {
      throw new JwksError('body is not UTF-8')
    }
    return { body, maxAge: freshness(response.headers) }
  }
  const timer = delay(timeoutMs)
  try {
    const result = await Promise.race([attempt(), timer.promise])
    if (result === undefined) throw new JwksError(`timeout: no complete answer within ${timeoutMs} ms`)
    return result
  } catch (error) {
    if (error instanceof JwksError) throw error
    throw new JwksError(controller.signal.aborted ? `timeout: no complete answer within ${timeoutMs} ms` : `fetch failed (${error instanceof Error ? error.name : 'error'})`, { cause: error })
  } finally {
    timer.cancel()
    controller.abort()
  }
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']

/**
 * The algorithm a published key is bound to: its own `alg` when in `allowed`, or, without one, its
 * type's (EC P-256 → ES256, P-384 → ES384, OKP Ed25519 → EdDSA, RSA → RS256 if allowed, else
 * PS256). Never an HMAC algorithm. Undefined: the key is not used.
 */
export function boundAlgorithm(raw: Record<string, unknown>, allowed: ReadonlySet<Algorithm>): Algorithm | undefined {
  if (raw.alg !== undefined) {
    const alg = algorithmNamed(raw.alg)
    return alg !== undefined && !isSymmetric(alg) && allowed.has(alg) ? alg : undefined
  }
  return keyAlgorithms(raw).find((alg) => !isSymmetric(alg) && allowed.has(alg))
}

/**
 * The usable keys of a JWK Set's text: signature keys (`use` absent or `sig`) whose algorithm
 * `boundAlgorithm` allows and that pass the same checks as configured keys (curve, RSA size and
 * exponent, small-order Ed25519 points), their public members only; a key without `kid` gets its
 * RFC 7638 thumbprint. A key of an allowed algorithm that fails them is left out and told to `warn`
 * by its kid and the rule, never its material. Throws JwksError when the text is not a JWK Set or
 * holds no usable key.
 */
export async function remoteRing(body: string, allowed: ReadonlySet<Algorithm>, provider: CryptoProvider, label: string, warn: (message: string) => void = () => {}): Promise<KeyRing> {
  let set: unknown
  try {
    set = JSON.parse(body)
  } catch {
    throw new JwksError('body is not JSON')
  }
  const members = typeof set === 'object' && set !== null ? (set as JsonObject).keys : undefined
  if (!Array.isArray(members)) throw new JwksError('body is not a JWK Set {"keys":[...]}')
  const keys: RingKey[] = []
  for (const [index, member] of members.entries()) {
    if (keys.length >= JWKS_LIMITS.maxKeys) break
    if (typeof member !== 'object' || member === null || Array.isArray(member)) continue
    const raw = { ...(member as Record<string, unknown>) }
    if (raw.use !== undefined && raw.use !== 'sig') continue
    const alg = boundAlgorithm(raw, allowed)
    if (alg === undefined) continue
    for (const name of PRIVATE_MEMBERS) delete raw[name]
    // A weak or broken key is left out; the others still verify. checkJwk's text names the key
    // and the rule only.
    let checked: CheckedJwk
    try {
      checked = checkJwk({ ...raw, alg, use: undefined }, index, label)
    } catch (error) {
      warn(`${error instanceof Error ? error.message : label}; this key is not used, the others still verify`)
      continue
    }
    checked.kid ??= await thumbprint(checked.public)
    try {
      keys.push(await ringKey(checked, provider))
    } catch {
      // The runtime refused the material (a point off its curve, say).
      warn(`${label}: key ${JSON.stringify(checked.kid.slice(0, 100))} cannot be imported as ${alg}; this key is not used, the others still verify`)
    }
  }
  if (keys.length === 0) throw new JwksError(`no usable key (of ${members.length}) for ${[...allowed].join(', ')}`)
  return new KeyRing(keys, { findByKid: true })
}

interface Flight {
  promise: Promise<void>
  /** Date.now() when it started: a flight older than the bound is dropped, never waited on. */
  started: number
}

/**
 * The keys of one jwks_uri. `key(header)` answers synchronously in steady state (fresh keys in
 * memory: no network, no shared cache); otherwise it returns a promise that settles within the
 * time bound, whatever happens to the fetch.
 */
export class RemoteKeySet {
  readonly uri: string
  readonly issuer: string
  readonly #allowed: ReadonlySet<Algorithm>
  readonly #fetch: FetchLike
  readonly #clock: () => number
  readonly #cache: JwksCache | undefined
  readonly #log: (message: string) => void
  readonly #crypto: CryptoProvider
  readonly #timeoutMs: number
  #ring: KeyRing | undefined
  /** When the keys in memory were fetched (ms), and for how long they are fresh (ms). */
  #fetchedAt = -Infinity
  #freshMs = 0
  /** When the last fetch started (ms, the injected clock), or when the shared cache's entry was fetched. */
  #lastFetch = -Infinity
  #sharedRead = false
  #flight: Flight | undefined
  /** Fetches started, for tests and the log. */
  fetches = 0

  constructor(options: RemoteKeySetOptions) {
    this.uri = options.uri
    this.issuer = options.issuer
    this.#allowed = new Set(options.algorithms)
    const globalFetch = globalThis.fetch
    this.#fetch = options.fetch ?? ((input, init) => globalFetch(input, init))
    this.#clock = options.clock ?? Date.now
    this.#cache = options.cache
    this.#log = options.log ?? ((message) => console.warn(message))
    this.#crypto = options.crypto ?? webCrypto
    this.#timeoutMs = options.timeoutMs ?? JWKS_LIMITS.timeoutMs
  }

  /** Whether a fetch may start now: the first always, later ones 30 s after the last. */
  #mayFetch(now: number): boolean {
    return now - this.#lastFetch >= JWKS_LIMITS.refetchIntervalMs
  }

  /**
   * The key a header selects (its `alg` already allowed): by `kid` and `alg`, or without `kid` the
   * only key of that `alg`. Undefined when there is none, even after the refetch an unknown kid
   * may trigger.
   */
  key(header: JsonObject): RingKey | undefined | Promise<RingKey | undefined> {
    const ring = this.#ring
    const now = this.#clock()
    const age = now - this.#fetchedAt
    if (ring !== undefined && age < this.#freshMs) {
      const key = ring.select(header)
      if (key !== undefined) return key
    }
    // A fetch under way: wait for it (within the bound). Otherwise fetch, unless the last fetch
    // started less than 30 s ago: then the keys known (stale-if-error, up to 24 h) are all there is.
    if (this.#flight === undefined && !this.#mayFetch(now)) return ring !== undefined && age < JWKS_LIMITS.staleIfErrorMs ? ring.select(header) : undefined
    return this.#keyAfterUpdate(header)
  }

  async #keyAfterUpdate(header: JsonObject): Promise<RingKey | undefined> {
    // Two rounds at most: the shared cache's entry, then (if that lacks the key and is old enough) the network.
    for (let round = 0; round < 2; round++) {
      await this.#update()
      const now = this.#clock()
      const ring = this.#ring
      if (ring !== undefined && now - this.#fetchedAt < JWKS_LIMITS.staleIfErrorMs) {
        const key = ring.select(header)
        if (key !== undefined) return key
      }
      if (!this.#mayFetch(now) || this.#flight !== undefined) return undefined
    }
    return undefined
  }

  /**
   * One update at a time per key set; every caller waits at most the time bound (with a timer of
   * its own), and a flight older than the bound is dropped: on Workers a fetch started by a request
   * that has ended may never settle.
   */
  #update(): Promise<void> {
    const started = Date.now()
    let flight = this.#flight
    if (flight !== undefined && started - flight.started > this.#timeoutMs + 1_000) {
      // Stuck (its request ended on Workers, say): never waited on again.
      this.#flight = flight = undefined
      if (!this.#mayFetch(this.#clock())) return Promise.resolve()
    }
    if (flight === undefined) {
      const promise: Promise<void> = this.#work().then(
        () => {},
        (error: unknown) => this.#log(`trusted issuer ${JSON.stringify(this.issuer)}: ${error instanceof Error ? error.message : 'failed'}`),
      )
      flight = { promise, started }
      this.#flight = flight
      const mine = flight
      void promise.finally(() => {
        if (this.#flight === mine) this.#flight = undefined
      })
    }
    const remaining = Math.max(0, flight.started + this.#timeoutMs + 500 - started)
    const timer = delay(remaining)
    return Promise.race([flight.promise, timer.promise]).then(() => timer.cancel())
  }

  async #work(): Promise<void> {
    if (this.#cache !== undefined && !this.#sharedRead) {
      this.#sharedRead = true
      let entry: JwksEntry | undefined
      try {
        entry = await this.#cache.read(this.uri)
      } catch (error) {
        this.#log(
          `trusted issuer ${JSON.stringify(this.issuer)}: ${error instanceof JwksError ? `the JWKS cache's entry for ${this.uri} is ignored: ${error.message}` : `the JWKS cache cannot be read (${error instanceof Error ? error.name : 'error'})`}`,
        )
      }
      const now = this.#clock()
      if (entry !== undefined && isEntry(entry) && now - entry.fetchedAt < JWKS_LIMITS.staleIfErrorMs && entry.fetchedAt > this.#fetchedAt) {
        try {
          this.#install(await remoteRing(entry.body, this.#allowed, this.#crypto, this.#label(), this.#log), Math.min(entry.fetchedAt, now), entry.maxAge)
          this.#lastFetch = Math.max(this.#lastFetch, Math.min(entry.fetchedAt, now))
        } catch {
          // A cached entry that no longer parses (an older version's, say) is as good as none.
        }
        if (now - this.#fetchedAt < this.#freshMs) return
      }
    }
    await this.#fetchNow()
  }

  async #fetchNow(): Promise<void> {
    const fetchedAt = this.#clock()
    this.#lastFetch = fetchedAt
    this.fetches++
    let fetched: { body: string; maxAge: number }
    let ring: KeyRing
    try {
      fetched = await fetchJwks(this.#fetch, this.uri, this.#timeoutMs)
      ring = await remoteRing(fetched.body, this.#allowed, this.#crypto, this.#label(), this.#log)
    } catch (error) {
      const kept = this.#ring !== undefined && this.#clock() - this.#fetchedAt < JWKS_LIMITS.staleIfErrorMs
      const reason = error instanceof JwksError ? error.message : error instanceof Error ? error.name : 'error'
      throw new JwksError(`JWKS ${this.uri} unavailable: ${reason}${kept ? `; the keys fetched ${Math.round((this.#clock() - this.#fetchedAt) / 1000)} s ago keep verifying` : ''}`, { cause: error })
    }
    this.#install(ring, fetchedAt, fetched.maxAge)
    if (this.#cache !== undefined) {
      try {
        await this.#cache.write(this.uri, { body: fetched.body, fetchedAt, maxAge: fetched.maxAge })
      } catch (error) {
        this.#log(`trusted issuer ${JSON.stringify(this.issuer)}: the JWKS cache cannot be written (${error instanceof Error ? error.name : 'error'})`)
      }
    }
  }

  #install(ring: KeyRing, fetchedAt: number, maxAge: number): void {
    this.#ring = ring
    this.#fetchedAt = fetchedAt
    this.#freshMs = Math.min(JWKS_LIMITS.maxMaxAge, Math.max(JWKS_LIMITS.minMaxAge, maxAge)) * 1000
  }

  /** How log lines and skipped keys name this key set: its issuer and jwks_uri, as the other lines do. */
  #label(): string {
    return `trusted issuer ${JSON.stringify(this.issuer).slice(0, 120)}: JWKS ${this.uri}`
  }
}

function isEntry(value: unknown): value is JwksEntry {
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
