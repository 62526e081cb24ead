// Splits a byte stream into lines without ever holding more than `maxBytes` of one line: a longer
// line is reported and its remaining bytes are skipped as they arrive.
import { isAscii } from 'node:buffer'

const NEWLINE = 0x0a

export interface LineSink {
  /**
   * A complete line, without its newline: as text when it is ASCII and came in one chunk (the
   * common case), else as its bytes, still to be checked and decoded.
   */
  line(line: string | Buffer): void
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
    // An ASCII chunk becomes one string, and its lines are slices of it: per line, that saves
    // a Buffer view, a UTF-8 check and a decoding (about 0.9 µs of a message's 4.7 µs of reading
    // and writing, measured with an echo handler).
    const text = isAscii(chunk) ? chunk.toString('latin1') : undefined
    for (let end = chunk.indexOf(NEWLINE); end >= 0; end = chunk.indexOf(NEWLINE, start)) {
      if (text !== undefined && this.#pendingBytes === 0 && !this.#discarding && end - start <= this.#maxBytes) this.#sink.line(text.slice(start, end))
      else this.#finish(chunk.subarray(start, end))
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
