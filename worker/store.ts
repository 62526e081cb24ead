// The core's TokenStore over the Durable Object namespaces: each refresh family lives in its own
// instance, each subject's revocations (revoked jtis and its cut-off) in the subject's own, the
// authority. Every revocation also goes into the revocation feed (worker/feed.ts), from which each
// isolate keeps a view (src/store/feed.ts): verify asks no object in the steady state, and refuses
// a revocation made anywhere within HALLPASS_REVOCATION_STALENESS (0: it asks the subject's object
// every time). A refresh asks the subject's object for its cut-off before the family's object
// rotates (PROTOCOL v3: two hops), so a revocation either is seen or was made after the ask and
// covers what the rotation mints. A failed call is `Store unavailable` (error 11).
import { StoreUnavailableError } from '../src/errors.ts'
import { FeedView } from '../src/store/feed.ts'
import { storedExpiry } from '../src/store/schema.ts'
import type { FamilyRecord, RevocationQuery, RotateRequest, RotateResult, TokenStore } from '../src/store/types.ts'
import type { Revocation } from '../src/store/view.ts'
import type { Env } from './env.ts'
import { DurableObjectFeed, FEED_REPLICAS } from './feed.ts'
import { revocationsName } from './objects.ts'

export interface DurableObjectStoreOptions {
  /** Told why a call failed (the worker logs it). */
  onUnavailable?: (error: unknown) => void
  /** HALLPASS_REVOCATION_STALENESS, ms (default 1000; 0: every verify asks the subject's object). */
  stalenessMs?: number
  /** How far back revocations can still refuse a live access token, ms: the access lifetime and the clock tolerance, and a margin. */
  windowMs?: number
  /** Diagnostics: the view going stale and current again. */
  log?: (message: string) => void
  /** Epoch milliseconds (`Date.now`): tests move it. */
  clock?: () => number
  /** The feed replica this isolate reads (random by default). */
  replica?: number
}

/** The access lifetime's default and a margin: what a store without a window keeps. */
const DEFAULT_WINDOW_MS = (900 + 60) * 1000

export class DurableObjectStore implements TokenStore {
  readonly #families: Env['REFRESH_FAMILIES']
  readonly #revocations: Env['REVOCATIONS']
  readonly #onUnavailable: (error: unknown) => void
  readonly #stalenessMs: number
  /** The revocation feed, and this isolate's view of it; undefined at staleness 0. */
  readonly feed: DurableObjectFeed
  readonly view: FeedView | undefined
  /** Keeps a background update of the view alive past the response (the request's `waitUntil`). */
  #background: ((work: Promise<unknown>) => void) | undefined

  constructor(env: Pick<Env, 'REFRESH_FAMILIES' | 'REVOCATIONS' | 'REVOCATION_FEED'>, options: DurableObjectStoreOptions = {}) {
    this.#families = env.REFRESH_FAMILIES
    this.#revocations = env.REVOCATIONS
    this.#onUnavailable = options.onUnavailable ?? (() => undefined)
    this.#stalenessMs = options.stalenessMs ?? 1000
    const clock = options.clock ?? Date.now
    this.feed = new DurableObjectFeed(env.REVOCATION_FEED, { replica: options.replica ?? Math.floor(Math.random() * FEED_REPLICAS), windowMs: options.windowMs ?? DEFAULT_WINDOW_MS, clock })
    const feed = this.feed
    // The view's reads fail as any call does: logged, then Store unavailable where it must answer.
    const reading = { read: (cursor: unknown) => this.#call(() => feed.read(cursor)) }
    this.view = this.#stalenessMs === 0 ? undefined : new FeedView(reading, { boundMs: this.#stalenessMs, clock, ...(options.log === undefined ? {} : { log: options.log }) })
  }

  /** The request in which the next background update may run (its `waitUntil`); any live request will do. */
  keepAliveWith(waitUntil: (work: Promise<unknown>) => void): void {
    this.#background = waitUntil
  }

  async #call<T>(rpc: () => Promise<T>): Promise<T> {
    try {
      return await rpc()
    } catch (error) {
      this.#onUnavailable(error)
      throw new StoreUnavailableError({ cause: error })
    }
  }

  #family(id: string) {
    return this.#families.get(this.#families.idFromName(id))
  }

  #revocationsOf(name: string) {
    return this.#revocations.get(this.#revocations.idFromName(name))
  }

  createFamily(id: string, record: FamilyRecord, now: number): Promise<void> {
    return this.#call(() => this.#family(id).create(id, record, now))
  }

  rotateFamily(id: string, request: RotateRequest): Promise<RotateResult> {
    return this.#call(async () => {
      const subject = request.sub === undefined ? undefined : revocationsName(undefined, request.sub)
      const cutoffMs = subject === undefined ? undefined : await this.#revocationsOf(subject).cutoff(request.now)
      return (await this.#family(id).rotate(id, request, cutoffMs)) as RotateResult
    })
  }

  revokeFamily(id: string, now: number): Promise<boolean> {
    return this.#call(() => this.#family(id).revoke(id, now))
  }

  async revokeToken(jti: string, sub: string | undefined, expiresAt: number, now: number): Promise<void> {
    const name = revocationsName(jti, sub)!
    const until = storedExpiry(expiresAt)
    await this.#call(() => this.#revocationsOf(name).revokeToken(jti, until, now))
    await this.#published({ jti, sub, expiresAt: until }, now)
  }

  async revokeSubject(sub: string, cutoffMs: number, expiresAt: number, now: number): Promise<void> {
    const name = revocationsName(undefined, sub)!
    const until = storedExpiry(expiresAt)
    await this.#call(() => this.#revocationsOf(name).revokeSubject(cutoffMs, until))
    await this.#published({ sub, cutoffMs, expiresAt: until }, now)
  }

  /**
   * Into the feed, then this isolate's view: acknowledged only once every replica holds it (a
   * failure is error 11; the subject's object has it already, and a retry writes it again).
   */
  async #published(revocation: Revocation, now: number): Promise<void> {
    await this.#call(() => this.feed.append(revocation, now))
    this.view?.revoked(revocation, now)
  }

  /** Brings this isolate's view up to date now (tests, and a verifier told to catch up). */
  async catchUp(): Promise<void> {
    await this.view?.catchUp()
  }

  isRevoked(query: RevocationQuery, now: number): Promise<boolean> | boolean {
    if (this.view !== undefined) return this.view.isRevoked(query, now, this.#background)
    const name = revocationsName(query.jti, query.sub)
    if (name === undefined) return false
    return this.#call(() => this.#revocationsOf(name).isRevoked(query, now))
  }
}
