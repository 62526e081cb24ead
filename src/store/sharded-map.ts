// A Map split over many small Maps, swept for expired entries a few at a time. One JS Map of a
// million entries rehashes all of them when it grows past a power of two: a single `set` then
// takes about 150 ms (measured in Node 22 at 2^20 entries). Shards of a thousand entries each
// rehash in well under a millisecond, and a sweep step touches a bounded number of entries.

/** Shards, created as they are first used: a small store allocates few. */
const SHARDS = 1024
/** Entries looked at per sweep step: bounded work, and still ahead of any rate of inserts. */
const SWEEP_STEP = 8
/** Shards passed over per sweep step, empty ones included: a nearly empty store costs little too. */
const SWEEP_SHARDS = 64

/** FNV-1a over the last 16 UTF-16 units: ids end in random characters, subjects in varied ones. */
function shardOf(key: string): number {
  let hash = 0x811c9dc5
  for (let i = Math.max(0, key.length - 16); i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193)
  return (hash >>> 0) % SHARDS
}

export class ShardedMap<V> {
  readonly #shards: Array<Map<string, V> | undefined> = new Array(SHARDS)
  readonly #expiresAt: (value: V) => number
  #size = 0
  /** The sweep's place: a shard, and an iterator over it. */
  #sweepShard = 0
  #cursor: Iterator<[string, V]> | undefined

  constructor(expiresAt: (value: V) => number) {
    this.#expiresAt = expiresAt
  }

  get size(): number {
    return this.#size
  }

  get(key: string): V | undefined {
    return this.#shards[shardOf(key)]?.get(key)
  }

  set(key: string, value: V): void {
    const index = shardOf(key)
    let shard = this.#shards[index]
    if (shard === undefined) this.#shards[index] = shard = new Map()
    const before = shard.size
    shard.set(key, value)
    this.#size += shard.size - before
  }

  /**
   * Looks at the next SWEEP_STEP entries (or fewer, at the end of a shard) and deletes those
   * expired by `now`; each step resumes where the last one stopped, shard after shard.
   */
  sweep(now: number): void {
    if (this.#size === 0) return
    for (let looked = 0, shards = 0; looked < SWEEP_STEP && shards < SWEEP_SHARDS; ) {
      const shard = this.#shards[this.#sweepShard]
      if (shard === undefined || shard.size === 0) {
        this.#nextShard()
        shards++
        continue
      }
      this.#cursor ??= shard.entries()
      const next = this.#cursor.next()
      if (next.done === true) {
        this.#nextShard()
        shards++
        continue
      }
      looked++
      const [key, value] = next.value
      if (this.#expiresAt(value) <= now) {
        shard.delete(key)
        this.#size--
      }
    }
  }

  #nextShard(): void {
    this.#cursor = undefined
    this.#sweepShard = (this.#sweepShard + 1) % SHARDS
  }
}
