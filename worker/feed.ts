// The revocation feed at the edge: every revocation, besides its subject's object (the authority),
// goes into a log bucketed by minute and kept in FEED_REPLICAS replicas; each isolate reads one
// replica, from where it left off, to keep its view current (src/store/feed.ts). A revocation is
// acknowledged only once every replica holds it, so whichever replica an isolate reads has it.
//
// Cost (docs/design.md, "Revocation at the edge"): one revocation writes its subject's object and
// FEED_REPLICAS feed objects; one isolate's update reads one object (two around a minute's turn);
// a new isolate reads the minutes its window covers, one object each.
import type { FeedPage, RevocationFeed } from '../src/store/feed.ts'
import type { Revocation } from '../src/store/view.ts'
import type { Env } from './env.ts'

/** The feed's buckets: one minute of revocations each (an isolate's update mostly reads one). */
const BUCKET_MS = 60_000
/**
 * Replicas of each bucket: every revocation is written to all, each isolate reads one. The reads
 * of 10³ isolates updating twice a second spread to 250 a second per object; a deployment of 10⁴
 * isolates wants 32 (docs/design.md). Readers and writers must agree on it: changing it is a
 * deployment of its own.
 */
export const FEED_REPLICAS = 8
/** Buckets this far on either side of a reader's clock are read too: writers' clocks differ a little from readers'. */
const SKEW_MS = 5_000

/** Where a reader is: when it last read, and the last sequence number it has of each bucket it still reads. */
interface Cursor {
  readAt: number
  seqs: Record<string, number>
}

const bucketOf = (ms: number) => Math.floor(ms / BUCKET_MS)

export interface FeedOptions {
  /** The replica this isolate reads. */
  replica: number
  /**
   * How far back a new reader reads, ms: revocations older than this cannot refuse a live access
   * token (the access lifetime and the clock tolerance, and a margin).
   */
  windowMs: number
  /** Epoch milliseconds (`Date.now`). */
  clock?: () => number
}

export class DurableObjectFeed implements RevocationFeed {
  readonly #namespace: Env['REVOCATION_FEED']
  readonly #replica: number
  readonly #windowMs: number
  readonly #clock: () => number
  /** Feed objects read, for tests and the benchmarks. */
  reads = 0

  constructor(namespace: Env['REVOCATION_FEED'], options: FeedOptions) {
    this.#namespace = namespace
    this.#replica = options.replica
    this.#windowMs = options.windowMs
    this.#clock = options.clock ?? Date.now
  }

  #stub(bucket: number, replica: number) {
    return this.#namespace.get(this.#namespace.idFromName(`${bucket}:${replica}`))
  }

  /**
   * Writes a revocation made at `now` (epoch seconds) to every replica of this minute's bucket,
   * its expiry held within the window: the feed refuses access tokens only, which the window outlives.
   */
  async append(revocation: Revocation, now: number): Promise<void> {
    const entry = { ...revocation, expiresAt: Math.min(revocation.expiresAt, now + Math.ceil(this.#windowMs / 1000)) }
    const bucket = bucketOf(this.#clock())
    await Promise.all(Array.from({ length: FEED_REPLICAS }, (_, replica) => this.#stub(bucket, replica).append([entry])))
  }

  async read(cursor: unknown): Promise<FeedPage> {
    const now = this.#clock()
    const known = cursor as Cursor | undefined
    // From where this reader left off (a little before), never beyond the window.
    const first = bucketOf(Math.max(known?.readAt ?? -Infinity, now - this.#windowMs) - SKEW_MS)
    const last = bucketOf(now + SKEW_MS)
    const buckets = Array.from({ length: last - first + 1 }, (_, i) => first + i)
    this.reads += buckets.length
    const pages = await Promise.all(buckets.map((bucket) => this.#stub(bucket, this.#replica).since(known?.seqs[bucket] ?? 0)))
    const seqs: Record<string, number> = {}
    const keepFrom = bucketOf(now - SKEW_MS)
    const entries: Revocation[] = []
    for (const [i, page] of pages.entries()) {
      entries.push(...page.entries)
      if (buckets[i]! >= keepFrom) seqs[buckets[i]!] = page.last
    }
    return { entries, cursor: { readAt: now, seqs } satisfies Cursor }
  }
}
