// Splits a byte stream into lines without ever holding more than `maxBytes` of one line: a longer
// line is reported and its remaining bytes are skipped as they arrive.

const NEWLINE = 0x0a

export interface LineSink {
  line(bytes: Buffer): void
  /** A line went over the limit and was discarded (reported once, when it starts to overflow). */
  oversize(): void
}

export class LineSplitter {
  readonly #maxBytes: number
  readonly #sink: LineSink
  #pending: Buffer[] = []
  #pendingBytes = 0
  #discarding = false

  constructor(maxBytes: number, sink: LineSink) {
    this.#maxBytes = maxBytes
    this.#sink = sink
  }

  push(chunk: Buffer): void {
    let start = 0
    for (let end = chunk.indexOf(NEWLINE); end >= 0; end = chunk.indexOf(NEWLINE, start)) {
      this.#finish(chunk.subarray(start, end))
      start = end + 1
    }
    if (start < chunk.length) this.#keep(chunk.subarray(start))
  }

  /** End of input: a last line without a newline still counts. */
  end(): void {
    if (this.#pendingBytes > 0) this.#finish(Buffer.alloc(0))
    this.#discarding = false
  }

  /** Forgets a partial line (on shutdown by signal). */
  drop(): void {
    this.#pending = []
    this.#pendingBytes = 0
  }

  #finish(tail: Buffer): void {
    if (this.#discarding) {
      this.#discarding = false
      return
    }
    if (this.#pendingBytes + tail.length > this.#maxBytes) {
      this.drop()
      this.#sink.oversize()
      return
    }
    const line = this.#pending.length === 0 ? tail : Buffer.concat([...this.#pending, tail])
    this.drop()
    this.#sink.line(line)
  }

  #keep(part: Buffer): void {
    if (this.#discarding) return
    if (this.#pendingBytes + part.length > this.#maxBytes) {
      this.drop()
      this.#discarding = true
      this.#sink.oversize()
      return
    }
    // Copy: the stream may reuse the chunk's memory.
    this.#pending.push(Buffer.from(part))
    this.#pendingBytes += part.length
  }
}
