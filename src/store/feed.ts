// A verifier's view of the revocations made anywhere in a deployment, kept current from a feed
// within a bound (HALLPASS_REVOCATION_STALENESS, PROTOCOL v3): what the edge worker and a
// revocation-aware hallpass/hono refuse revoked tokens with, with no round trip per verify.
//
// - Fresh (brought up to date less than half the bound ago): answered from memory.
// - Older, within the bound: answered from memory, and an update starts in the background (one at
//   a time), so the steady state costs at most two updates per bound whatever the request rate.
// - Past the bound (a verifier that sat idle), or never loaded: brought up to date first.
// - An update that fails: the revocations known keep being refused, the log says the view is stale
//   (and when it is current again), and it is tried again at most twice per bound. A view that was
//   never loaded answers Store unavailable (error 11) rather than guess.
import { StoreUnavailableError } from '../errors.ts'
import type { Maybe } from '../lib/maybe.ts'
import type { RevocationQuery } from './types.ts'
import { RevocationView, type Revocation } from './view.ts'

/** A page of a revocation feed: the revocations after a cursor, and the cursor to read from next. */
export interface FeedPage {
  entries: Revocation[]
  /** Opaque to the view; JSON, so that it crosses an RPC boundary. */
  cursor: unknown
}

/** Where a view's updates come from: the edge's feed objects, or the hallpass worker over a service binding. */
export interface RevocationFeed {
  /** The revocations since `cursor`; without one, every revocation that still matters. */
  read(cursor: unknown): Promise<FeedPage>
}

export interface FeedViewOptions {
  /** HALLPASS_REVOCATION_STALENESS: the most the view may lag behind the feed, ms (above 0). */
  boundMs: number
  /** Epoch milliseconds (`Date.now`). */
  clock?: () => number
  /** Diagnostics: never a token. */
  log?: (message: string) => void
}

export class FeedView {
  readonly #feed: RevocationFeed
  readonly #boundMs: number
  readonly #clock: () => number
  readonly #log: (message: string) => void
  readonly #view = new RevocationView()
  #cursor: unknown
  #loaded = false
  /** When the last update that succeeded started: the view holds everything committed before it. */
  #currentAt = -Infinity
  /** When the last update started, successful or not: updates start at most twice per bound. */
  #triedAt = -Infinity
  #update: Promise<void> | undefined
  /** Updates started, for tests and the benchmarks. */
  updates = 0

  constructor(feed: RevocationFeed, options: FeedViewOptions) {
    this.#feed = feed
    this.#boundMs = options.boundMs
    this.#clock = options.clock ?? Date.now
    this.#log = options.log ?? (() => undefined)
  }

  /**
   * Whether the token is refused by the revocations known, once the view is within the bound.
   * `background` keeps an update started for a later request alive (a Worker's `waitUntil`).
   */
  isRevoked(query: RevocationQuery, now: number, background?: (work: Promise<unknown>) => void): Maybe<boolean> {
    const at = this.#clock()
    const age = at - this.#currentAt
    if (this.#loaded && age <= this.#boundMs) {
      if (age > this.#boundMs / 2 && this.#update === undefined && at - this.#triedAt > this.#boundMs / 2) background?.(this.#updated())
      return this.#view.isRevoked(query, now)
    }
    // Past the bound: the outage rule while the last try failed less than half a bound ago, else
    // an update (the one under way, or a new one) before the answer.
    if (this.#loaded && this.#update === undefined && at - this.#triedAt <= this.#boundMs / 2) return this.#view.isRevoked(query, now)
    return this.#updated().then(() => {
      if (!this.#loaded) throw new StoreUnavailableError()
      return this.#view.isRevoked(query, now)
    })
  }

  /** Brings the view up to date now; rejects with Store unavailable when the feed cannot be read. */
  async catchUp(): Promise<void> {
    const before = this.#currentAt
    await this.#updated()
    // An update already under way may have started before the caller's moment: one more.
    if (this.#currentAt === before || this.#currentAt < this.#clock()) await this.#updated()
    if (this.#currentAt === before) throw new StoreUnavailableError()
  }

  /** A revocation this verifier made: refused from its next answer on, before any update. */
  revoked(revocation: Revocation, now: number): void {
    this.#view.apply(revocation, now)
  }

  /** Brings the view up to date now (the one update under way, or a new one); never rejects. */
  #updated(): Promise<void> {
    if (this.#update !== undefined) return this.#update
    const startedAt = this.#clock()
    this.#triedAt = startedAt
    this.updates++
    const update = this.#feed.read(this.#cursor).then(
      (page) => {
        const now = Math.floor(this.#clock() / 1000)
        for (const entry of page.entries) this.#view.apply(entry, now)
        this.#cursor = page.cursor
        this.#loaded = true
        this.#currentAt = startedAt
        this.#view.markCurrent(true, this.#log)
      },
      (error: unknown) => this.#view.markCurrent(false, this.#log, error instanceof Error ? error.message : undefined),
    )
    this.#update = update.finally(() => {
      this.#update = undefined
    })
    return this.#update
  }
}
