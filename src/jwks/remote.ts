// A trusted issuer's published keys, by jose's rule (createRemoteJWKSet) on the injected clock:
//   keys fresh → select from them;
//   keys stale, or none → reload before selecting;
//   no key for the header, and the last reload began a cool-down ago or more → one reload.
// One reload at a time per key set, shared by every caller. A reload reads the shared cache first
// (once per instance: another isolate may have fetched already), then the network.
//
// Why not jose's own: its cache lives in one isolate (short-lived isolates fetch again and again),
// it has no stale-if-error, its `jwksCache` hook is a plain object filled synchronously (no
// asynchronous read of a shared cache), and its keys would be imported by jose, not by this node's
// CryptoProvider (node:crypto in the stdin node). Nor is jose a dependency of the core.
import { JwksError } from '../errors.ts'
import type { JsonObject } from '../jws/compact.ts'
import type { Algorithm } from '../keys/algorithms.ts'
import { webCrypto, type CryptoProvider } from '../keys/crypto.ts'
import type { KeyRing, RingKey } from '../keys/ring.ts'
import type { Maybe } from '../lib/maybe.ts'
import { isEntry, type JwksCache } from './cache.ts'
import { fetchJwks, JWKS_LIMITS, type FetchLike } from './fetch.ts'
import { remoteRing } from './parse.ts'

/** An unknown kid reloads only when the last reload began this long ago (PROTOCOL: 30 s; the first is not limited). */
const COOLDOWN_MS = JWKS_LIMITS.refetchIntervalMs
/** Keys fetched once keep verifying this long while reloads fail (PROTOCOL's stale-if-error). */
const STALE_IF_ERROR_MS = JWKS_LIMITS.staleIfErrorMs
/**
 * A reload that has not settled this long after its fetch's own bound is stuck (on Workers, a fetch
 * started by a request that has ended may never settle, nor its timers fire): it is dropped, and
 * never waited on again.
 */
const STUCK_AFTER_MS = 1_000
/** A caller waits for a reload at most the fetch's bound and this, for parsing and key import. */
const WAIT_SLACK_MS = 500

export interface RemoteKeySetOptions {
  /** The issuer, for log lines. */
  issuer: string
  uri: string
  /** The algorithms its keys may be bound to: asymmetric ones only. */
  algorithms: readonly Algorithm[]
  fetch?: FetchLike | undefined
  /** Epoch milliseconds (`Date.now`): every age and interval here is read from it. */
  clock?: (() => number) | undefined
  cache?: JwksCache | undefined
  /** Told why a fetch failed (issuer, status or timeout; never a token). */
  log?: ((message: string) => void) | undefined
  crypto?: CryptoProvider | undefined
  /** Tests only: a shorter time bound than JWKS_LIMITS.timeoutMs. */
  timeoutMs?: number | undefined
}

/** The keys of one jwks_uri: `key(header)` answers synchronously in the steady state. */
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
  /** The keys, when they were fetched (ms, by whoever fetched them), and how long they are fresh (ms). */
  #keys: { ring: KeyRing; fetchedAt: number; freshMs: number } | undefined
  /** When the last fetch began (ms), here or by whoever fetched the shared cache's set: the cool-down counts from it. */
  #reloadedAt = -Infinity
  #reload: { done: Promise<void>; startedAt: number } | undefined
  /** Whether the shared cache has been read: once per instance, before its first fetch. */
  #sharedRead = false
  /** Network fetches started, for tests and the log. */
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

  /**
   * The key a header selects (its `alg` already allowed): by `kid` and `alg`, or without `kid` the
   * only key of that `alg`. Undefined when there is none, even after the reload it may cause.
   */
  key(header: JsonObject): Maybe<RingKey | undefined> {
    const now = this.#clock()
    const keys = this.#keys
    if (keys !== undefined && now - keys.fetchedAt < keys.freshMs) {
      const key = keys.ring.select(header)
      if (key !== undefined) return key
    }
    if (this.#reload === undefined && now - this.#reloadedAt < COOLDOWN_MS) return this.#usable(now)?.select(header)
    return this.#keyAfterReload(header)
  }

  async #keyAfterReload(header: JsonObject): Promise<RingKey | undefined> {
    // Two rounds at most: the shared cache may hold an older set without this key; then the network.
    for (let round = 0; round < 2; round++) {
      await this.#reloaded()
      const now = this.#clock()
      const key = this.#usable(now)?.select(header)
      if (key !== undefined || this.#reload !== undefined || now - this.#reloadedAt < COOLDOWN_MS) return key
    }
    return undefined
  }

  /** The keys known, while within stale-if-error. */
  #usable(now: number): KeyRing | undefined {
    const keys = this.#keys
    return keys !== undefined && now - keys.fetchedAt < STALE_IF_ERROR_MS ? keys.ring : undefined
  }

  /** The reload under way, or a new one; resolves when it is done, or when this caller has waited long enough. */
  #reloaded(): Promise<void> {
    const now = this.#clock()
    if (this.#reload !== undefined && now - this.#reload.startedAt > this.#timeoutMs + STUCK_AFTER_MS) this.#reload = undefined
    if (this.#reload === undefined) {
      const reload = {
        startedAt: now,
        done: this.#load().catch((error: unknown) => this.#log(`trusted issuer ${JSON.stringify(this.issuer)}: ${error instanceof Error ? error.message : 'failed'}`)),
      }
      this.#reload = reload
      void reload.done.finally(() => {
        if (this.#reload === reload) this.#reload = undefined
      })
    }
    let timer: ReturnType<typeof setTimeout> | undefined
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.#timeoutMs + WAIT_SLACK_MS)))
    return Promise.race([this.#reload.done, waited]).finally(() => {
      if (timer !== undefined) clearTimeout(timer)
    })
  }

  /** The shared cache's entry (first reload only) when it is fresher than what is known, else the network. */
  async #load(): Promise<void> {
    if (this.#cache !== undefined && !this.#sharedRead) {
      this.#sharedRead = true
      if ((await this.#readShared()) && this.#clock() - this.#keys!.fetchedAt < this.#keys!.freshMs) return
    }
    await this.#fetchNow()
  }

  /** Installs the shared cache's entry when it is newer than the keys known; true if it did. */
  async #readShared(): Promise<boolean> {
    let entry: unknown
    try {
      entry = await this.#cache!.read(this.uri)
    } catch (error) {
      this.#log(
        `trusted issuer ${JSON.stringify(this.issuer)}: ${error instanceof JwksError ? `the JWKS cache's entry for ${this.uri} is ignored: ${error.message}` : `the JWKS cache cannot be read (${error instanceof Error ? error.name : 'error'})`}`,
      )
      return false
    }
    const now = this.#clock()
    if (!isEntry(entry) || now - entry.fetchedAt >= STALE_IF_ERROR_MS || entry.fetchedAt <= (this.#keys?.fetchedAt ?? -Infinity)) return false
    try {
      this.#install(await remoteRing(entry.body, this.#allowed, this.#crypto, this.#label(), this.#log), Math.min(entry.fetchedAt, now), entry.maxAge)
    } catch {
      // An entry that no longer parses (an older version's, say) is as good as none.
      return false
    }
    return true
  }

  async #fetchNow(): Promise<void> {
    const fetchedAt = this.#clock()
    this.#reloadedAt = fetchedAt
    this.fetches++
    let fetched: { body: string; maxAge: number }
    let ring: KeyRing
    try {
      fetched = await fetchJwks(this.#fetch, this.uri, this.#timeoutMs)
      ring = await remoteRing(fetched.body, this.#allowed, this.#crypto, this.#label(), this.#log)
    } catch (error) {
      const known = this.#keys
      const kept = this.#usable(this.#clock()) !== undefined ? `; the keys fetched ${Math.round((this.#clock() - known!.fetchedAt) / 1000)} s ago keep verifying` : ''
      throw new JwksError(`JWKS ${this.uri} unavailable: ${error instanceof JwksError ? error.message : error instanceof Error ? error.name : 'error'}${kept}`, { cause: error })
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

  /** Keys fetched at `fetchedAt`, fresh for `maxAge` seconds held within PROTOCOL's 1 min – 24 h. */
  #install(ring: KeyRing, fetchedAt: number, maxAge: number): void {
    this.#keys = { ring, fetchedAt, freshMs: Math.min(JWKS_LIMITS.maxMaxAge, Math.max(JWKS_LIMITS.minMaxAge, maxAge)) * 1000 }
    // A set fetched elsewhere (the shared cache) counts as the last reload: the cool-down is the issuer's.
    this.#reloadedAt = Math.max(this.#reloadedAt, fetchedAt)
  }

  /** How log lines and skipped keys name this key set: its issuer and jwks_uri, as the other lines do. */
  #label(): string {
    return `trusted issuer ${JSON.stringify(this.issuer).slice(0, 120)}: JWKS ${this.uri}`
  }
}
