// Refreshes whose outcome this node does not know: the store answered error 11 (its wait ran out,
// or the database failed mid-way), so the rotation may have been committed all the same. The client
// is told to retry (PROTOCOL v3), and a retry with the same refresh token within
// HALLPASS_STORE_WAIT + 60 s must get the successor that was committed, never reuse detection.

/** Doubts held at once; the oldest is forgotten first (its client then sees reuse, as in v2). */
const MAX_DOUBTS = 10_000

export class RefreshDoubts {
  /** `family generation` → [the rotation's instant, remembered until] (epoch seconds). */
  readonly #doubts = new Map<string, [number, number]>()
  readonly #window: number

  /** `window`: seconds a doubt is remembered (HALLPASS_STORE_WAIT + 60). */
  constructor(window: number) {
    this.#window = window
  }

  /** A rotation tried at `now` whose outcome is unknown. */
  add(family: string, generation: number, now: number): void {
    const key = `${family} ${generation}`
    // A retry that fails again keeps the first attempt's instant: that one may be the committed rotation.
    const first = this.#doubts.get(key)?.[0] ?? now
    this.#doubts.delete(key)
    if (this.#doubts.size >= MAX_DOUBTS) this.#doubts.delete(this.#doubts.keys().next().value!)
    this.#doubts.set(key, [first, now + this.#window])
  }

  /**
   * The reuse interval a retry needs to be answered with the successor of the rotation in doubt
   * (every rotation since that attempt), or undefined when this is no retry of one.
   */
  retryInterval(family: string, generation: number, now: number): number | undefined {
    const key = `${family} ${generation}`
    const doubt = this.#doubts.get(key)
    if (doubt === undefined) return undefined
    if (doubt[1] < now) {
      this.#doubts.delete(key)
      return undefined
    }
    return Math.max(1, now - doubt[0])
  }

  /** The retry got its answer: nothing is in doubt any more. */
  settle(family: string, generation: number): void {
    if (this.#doubts.size > 0) this.#doubts.delete(`${family} ${generation}`)
  }
}
