// 100 000 random and mutated lines into one stdin node: it must not crash, print nothing but
// protocol lines, stay within bounded memory, and still answer afterwards.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { SECRET } from '../support/forge.ts'
import { startNode } from './process.ts'

const LINES = 100_000
const MAX_LINE_BYTES = 1024 * 1024
const REPLY_TYPES = new Set(['init_ok', 'token_generated', 'token_valid', 'token_invalid', 'token_refreshed', 'token_revoked', 'token_inspected', 'error'])

/** A small seeded PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function fuzzLines(seed: number, validToken: string): Buffer[] {
  const random = prng(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!
  const int = (max: number) => Math.floor(random() * max)
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n)
  const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)
  const types = ['init', 'generate_access_token', 'verify_token', 'refresh_token', 'revoke_token', 'inspect_token', 'nope', '']
  const valid = () => JSON.stringify({ src: 'c1', dest: 'jwt', body: { type: pick(types), msg_id: int(1e6), token: validToken, refresh_token: validToken, payload: { sub: 'u' + int(100) }, node_id: 'n1' } })
  const mutate = (text: string) => {
    const chars = [...text]
    for (let k = 1 + int(4); k > 0; k--) chars[int(chars.length)] = String.fromCharCode(int(128))
    return chars.join('').replace(/\n/g, ' ')
  }
  // Cheap lines make up the bulk; heavy ones (deep nesting, 1 MiB) are spliced in a few times each.
  const makers: Array<() => Buffer | string> = [
    () => Buffer.from(Array.from({ length: int(200) }, () => { const b = int(256); return b === 10 ? 11 : b })),
    () => `{"type":"verify_token","msg_id":1,"token":"a\u0000b"}\u0000`,
    () => Buffer.concat([Buffer.from('{"type":"verify_token","msg_id":2,"token":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]),
    () => '{"type":"inspect_token","msg_id":3,"token":"\\ud800.\\udfff.x"}',
    () => `{"type":"verify_token","msg_id":${pick(['1e308', '-0', '123456789012345678901234567890', '1e-400', '-1e308'])},"token":"a.b.c"}`,
    () => `{"type":"generate_access_token","msg_id":8,"payload":{"sub":"x","n":1e308,"m":-1e-320}}`,
    () => deep(1 + int(50)),
    valid,
    valid,
    () => mutate(valid()),
    () => mutate(valid()),
    () => JSON.stringify({ type: 'verify_token', msg_id: 9, token: validToken.slice(0, int(validToken.length)) }),
  ]
  const heavy: Array<() => string> = [
    () => deep(100_000),
    () => `{"type":"verify_token","msg_id":4,"token":${deep(50_000)}}`,
    () => `{"type":"generate_access_token","msg_id":5,"payload":{"sub":"x","deep":${deep(20_000)}}}`,
    () => `{"src":${deep(20_000)},"dest":"jwt","body":{"type":"verify_token","msg_id":6,"token":"x"}}`,
    () => `{"type":"generate_access_token","msg_id":7,"payload":{"sub":"x","o":${deepObject(5_000)}}}`,
  ]
  const lines: Buffer[] = []
  for (let i = 0; i < LINES; i++) {
    const made = pick(makers)()
    lines.push(typeof made === 'string' ? Buffer.from(made) : made)
  }
  for (const make of heavy) for (let i = 0; i < 10; i++) lines.splice(int(lines.length), 0, Buffer.from(make()))
  // Near the limit: just under is answered, just over is discarded.
  const padded = (bytes: number) => {
    const head = `{"type":"inspect_token","msg_id":10,"token":"a.b.c","pad":"`
    return Buffer.from(head + 'x'.repeat(bytes - head.length - 2) + '"}')
  }
  for (let i = 0; i < 5; i++) lines.splice(int(lines.length), 0, padded(MAX_LINE_BYTES), padded(MAX_LINE_BYTES + 1))
  return lines
}

async function writeAll(stream: NodeJS.WritableStream, chunks: Buffer[]): Promise<void> {
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

    const lines = fuzzLines(20261123, validToken)
    const stdout: string[] = []
    const drain = async () => {
      for (;;) {
        const line = await node.nextLine(60_000).catch(() => null)
        if (line === null || line.includes('"in_reply_to":"after"')) return line
        stdout.push(line)
      }
    }
    const collecting = drain()
    await writeAll(node.child.stdin, lines.flatMap((line) => [line, Buffer.from('\n')]))
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
