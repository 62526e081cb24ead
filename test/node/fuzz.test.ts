// 100 000 random and mutated lines into one stdin node: it must not crash, print nothing but
// protocol lines, stay within bounded memory, and still answer afterwards.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { SECRET } from '../support/forge.ts'
import { fuzzMessages, REPLY_TYPES } from '../support/fuzz.ts'
import { startNode } from './process.ts'

const LINES = 100_000
const MAX_LINE_BYTES = 1024 * 1024
const NEWLINE = Uint8Array.of(0x0a)
async function writeAll(stream: NodeJS.WritableStream, chunks: Uint8Array[]): Promise<void> {
  for (const chunk of chunks) {
    if (!stream.write(chunk)) await new Promise((resolve) => stream.once('drain', resolve))
  }
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024
}

describe('stdin node under fuzzing', () => {
  it(`survives ${LINES} random and mutated lines and keeps answering`, { timeout: 120_000 }, async () => {
    const node = startNode({ HALLPASS_SECRET: SECRET })
    node.child.stdin.write(JSON.stringify({ type: 'generate_access_token', msg_id: 'seed', payload: { sub: 'fuzz' } }) + '\n')
    const validToken = JSON.parse(await node.nextLine()).access_token as string

    const lines = fuzzMessages({ seed: 20261123, count: LINES, heavyEach: 10, validToken, limitBytes: MAX_LINE_BYTES, limitPairs: 5 })
    const stdout: string[] = []
    const drain = async () => {
      for (;;) {
        const line = await node.nextLine(60_000).catch(() => null)
        if (line === null || line.includes('"in_reply_to":"after"')) return line
        stdout.push(line)
      }
    }
    const collecting = drain()
    await writeAll(node.child.stdin, lines.flatMap((line) => [line, NEWLINE]))
    // The fuzz lines revoke validToken along the way: ask for something fresh.
    node.child.stdin.write(JSON.stringify({ type: 'generate_access_token', msg_id: 'after', payload: { sub: 'after' } }) + '\n')
    const last = await collecting

    expect(last, node.stderr().slice(-2000)).not.toBeNull()
    expect(JSON.parse(last!)).toMatchObject({ type: 'token_generated' })
    const peak = peakRssMb(node.child.pid!)
    node.child.stdin.end()
    expect(await node.exited).toBe(0)

    let errors13 = 0
    for (const line of stdout) {
      const reply = JSON.parse(line)
      const body = reply.body ?? reply
      expect(REPLY_TYPES.has(body.type), line.slice(0, 200)).toBe(true)
      if (body.type === 'error' && body.code === 13) errors13++
    }
    expect(errors13).toBe(0)
    expect(stdout.length).toBeGreaterThan(LINES / 4)
    expect(node.stderr()).toMatch(/discarded: longer than/)
    expect(node.stderr()).not.toContain(validToken.split('.')[1])
    console.log(`fuzz: ${lines.length} lines in, ${stdout.length} replies out, peak RSS ${peak.toFixed(0)} MB`)
    expect(peak).toBeLessThan(300)
  })
})
