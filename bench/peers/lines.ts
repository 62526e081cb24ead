// The line handling the bench's peer nodes share, written as a Node user would: replies batched
// into one write per turn of the event loop, and (serveEnvelopes) stdin read as UTF-8 text and
// split on newlines, one JSON envelope a line.

/** Reply lines, written together once per turn of the event loop. */
export class Replies {
  #lines: string[] = []
  #scheduled = false

  push(line: string): void {
    this.#lines.push(line)
    if (this.#scheduled) return
    this.#scheduled = true
    setImmediate(() => this.flush())
  }

  flush(): void {
    this.#scheduled = false
    if (this.#lines.length === 0) return
    process.stdout.write(this.#lines.join('\n') + '\n')
    this.#lines = []
  }
}

/** Answers each envelope on stdin with `answer(body)`, addressed back to its sender. */
export function serveEnvelopes(answer: (body: Record<string, any>) => Record<string, unknown>): void {
  const replies = new Replies()
  let pending = ''
  process.stdin.setEncoding('utf8')
  process.stdin.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n')
    pending = lines.pop()!
    for (const line of lines) {
      if (line === '') continue
      const message = JSON.parse(line)
      replies.push(JSON.stringify({ src: message.dest, dest: message.src, body: answer(message.body) }))
    }
  })
  process.stdin.on('end', () => replies.flush())
}
