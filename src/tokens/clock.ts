// The instant tokens are issued at, in milliseconds. `revoke_subject` refuses a subject's tokens
// issued before a cut-off; a login on this node right after it (the same millisecond, even) must
// land at or after that cut-off, so the clock never goes back before the latest one made here.

export class IssueClock {
  readonly #clock: () => number
  #floor = -Infinity

  constructor(clock: () => number) {
    this.#clock = clock
  }

  /** Epoch milliseconds of a token issued now. */
  instant(): number {
    return Math.max(this.#clock(), this.#floor)
  }

  /** Tokens issued from now on are issued at `ms` or later. */
  holdFrom(ms: number): void {
    if (ms > this.#floor) this.#floor = ms
  }
}
