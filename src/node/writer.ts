// Batches reply lines into few writes and honours backpressure: while the stream is full, replies
// wait in memory and the reader is told to pause; so it is, too, while many replies wait for the
// next batch (a fast pipe fills the queue faster than one turn of the event loop empties it).
import type { Writable } from 'node:stream'

export class LineWriter {
  readonly #out: Writable
  #queue: string[] = []
  #scheduled = false
  #blocked = false
  #idle: Array<() => void> = []
  readonly #onFlush: () => void

  /** `onFlush` is told each time the queue has been handed to the stream (the reader may resume). */
  constructor(out: Writable, onFlush: () => void = () => undefined) {
    this.#out = out
    this.#onFlush = onFlush
    out.on('drain', () => {
      this.#blocked = false
      this.#flush()
    })
  }

  /** Lines waiting for the next batch. */
  get queued(): number {
    return this.#queue.length
  }

  /** Queues one line (without its newline). */
  write(line: string): void {
    this.#queue.push(line)
    if (!this.#scheduled && !this.#blocked) {
      this.#scheduled = true
      setImmediate(() => this.#flush())
    }
  }

  /** True while the stream is full. */
  get blocked(): boolean {
    return this.#blocked
  }

  /** Resolves once everything queued has been handed to the stream and the stream has taken it. */
  idle(): Promise<void> {
    this.#flush()
    if (this.#queue.length === 0 && !this.#blocked) {
      return new Promise((resolve) => this.#out.write('', () => resolve()))
    }
    return new Promise((resolve) => this.#idle.push(resolve))
  }

  #flush(): void {
    this.#scheduled = false
    if (this.#blocked || this.#queue.length === 0) {
      if (!this.#blocked) this.#settle()
      return
    }
    const batch = this.#queue.join('\n') + '\n'
    this.#queue = []
    if (!this.#out.write(batch)) this.#blocked = true
    else this.#settle()
    this.#onFlush()
  }

  #settle(): void {
    if (this.#idle.length === 0) return
    const waiting = this.#idle
    this.#idle = []
    this.#out.write('', () => waiting.forEach((resolve) => resolve()))
  }
}
