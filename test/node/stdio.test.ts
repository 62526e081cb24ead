// The stdin node as a process: garbage, oversized lines, EOF and SIGTERM, start-up configuration.
import { describe, expect, it } from 'vitest'
import { SECRET } from '../support/forge.ts'
import { startNode } from './process.ts'

const ENV = { HALLPASS_SECRET: SECRET }
const issueLine = (msgId: number) => JSON.stringify({ src: 'c1', dest: 'jwt', body: { type: 'generate_access_token', msg_id: msgId, payload: { sub: `u${msgId}` } } })

const allLines = (node: ReturnType<typeof startNode>) => node.remainingLines()

describe('stdin node process', () => {
  it('ignores garbage with a diagnostic on stderr and keeps serving', async () => {
    const node = startNode(ENV)
    const garbage = ['not json', '{"unterminated": ', '[1,2,3]', '42', 'null', '"a string"', '\u0000\u0001', '{}}', '']
    node.child.stdin.write(garbage.join('\n') + '\n')
    node.child.stdin.write(Buffer.from([0xff, 0xfe, 0x7b, 0x7d, 0x0a])) // invalid UTF-8
    node.child.stdin.write(issueLine(1) + '\r\n')
    const reply = JSON.parse(await node.nextLine())
    expect(reply.body).toMatchObject({ type: 'token_generated', in_reply_to: 1 })
    node.child.stdin.end()
    expect(await node.exited).toBe(0)
    expect(node.stderr()).toMatch(/line 1 ignored: not valid UTF-8 JSON/)
    expect(node.stderr()).toMatch(/line 3 ignored: not a JSON object/)
    expect(node.stderr()).not.toContain('unterminated')
  })

  it('discards a line over the limit without holding it, and answers the next one', async () => {
    const node = startNode({ ...ENV, HALLPASS_MAX_LINE_BYTES: '4096' })
    const big = JSON.stringify({ type: 'verify_token', msg_id: 1, token: 'x'.repeat(10_000) })
    // Sent in pieces, so the limit is crossed before any newline arrives.
    for (let i = 0; i < big.length; i += 1000) node.child.stdin.write(big.slice(i, i + 1000))
    node.child.stdin.write('\n' + JSON.stringify({ type: 'inspect_token', msg_id: 2, token: 'a.b.c' }) + '\n')
    const reply = JSON.parse(await node.nextLine())
    expect(reply.in_reply_to).toBe(2)
    node.child.stdin.end()
    await node.exited
    expect(node.stderr()).toMatch(/line 1 discarded: longer than 4096 bytes/)
  })

  it('discards a line over the default 1 MiB limit', async () => {
    const node = startNode(ENV)
    node.child.stdin.write(JSON.stringify({ type: 'verify_token', msg_id: 1, token: 'x'.repeat(1_100_000) }) + '\n')
    node.child.stdin.write(JSON.stringify({ type: 'verify_token', msg_id: 2, token: 'x'.repeat(900_000) }) + '\n')
    const reply = JSON.parse(await node.nextLine())
    expect(reply).toMatchObject({ type: 'token_invalid', in_reply_to: 2, code: 'malformed_token' })
    node.child.stdin.end()
    await node.exited
    expect(node.stderr()).toMatch(/line 1 discarded/)
  })

  it('answers everything already read when stdin ends, then exits 0', async () => {
    const node = startNode(ENV)
    const count = 2000
    node.child.stdin.end(Array.from({ length: count }, (_, i) => issueLine(i + 1)).join('\n')) // no final newline
    const lines = await allLines(node)
    expect(await node.exited).toBe(0)
    expect(lines).toHaveLength(count)
    const ids = lines.map((line) => JSON.parse(line).body.in_reply_to).sort((a, b) => a - b)
    expect(ids).toEqual(Array.from({ length: count }, (_, i) => i + 1))
  })

  it('answers what it has read on SIGTERM, flushes, and exits 0', async () => {
    const node = startNode(ENV)
    node.child.stdin.write(Array.from({ length: 300 }, (_, i) => issueLine(i + 1)).join('\n') + '\n')
    await node.nextLine() // it is working
    node.child.kill('SIGTERM')
    const rest = await allLines(node)
    expect(await node.exited).toBe(0)
    expect(rest).toHaveLength(299)
    for (const line of rest) expect(JSON.parse(line).body.type).toBe('token_generated')
  })

  it('prints usage and the configuration table for --help', async () => {
    const node = startNode({}, 'direct', ['--help'])
    const lines = await allLines(node)
    expect(await node.exited).toBe(0)
    const text = lines.join('\n')
    for (const name of ['HALLPASS_SECRET', 'HALLPASS_REFRESH_SECRET', 'HALLPASS_ACCESS_TTL', 'HALLPASS_REFRESH_TTL', 'HALLPASS_ISSUER', 'HALLPASS_AUDIENCE', 'HALLPASS_CLOCK_TOLERANCE']) {
      expect(text).toContain(name)
    }
  })

  it.each([
    ['a secret under 32 bytes', { HALLPASS_SECRET: 'too-short' }, /HALLPASS_SECRET is too short/],
    ['a refresh secret equal to the secret', { HALLPASS_SECRET: SECRET, HALLPASS_REFRESH_SECRET: SECRET }, /must differ/],
    ['a TTL that is not a number', { HALLPASS_SECRET: SECRET, HALLPASS_ACCESS_TTL: 'soon' }, /HALLPASS_ACCESS_TTL must be a whole number/],
    ['a malformed JWK', { HALLPASS_SECRET: '{"kty":"oct"' }, /not valid JSON/],
  ])('exits 1 at start with a clear message for %s', async (_label, env, message) => {
    const node = startNode(env)
    node.child.stdin.end()
    const lines = await allLines(node)
    expect(await node.exited).toBe(1)
    expect(lines).toEqual([])
    expect(node.stderr()).toMatch(message)
    expect(node.stderr()).not.toContain('too-short')
  })

  it('warns on stderr when no secret is set, and never prints the one it makes', async () => {
    const node = startNode({})
    node.child.stdin.end(issueLine(1) + '\n')
    const lines = await allLines(node)
    expect(lines).toHaveLength(1)
    expect(node.stderr()).toMatch(/HALLPASS_SECRET is not set/)
    expect(node.stderr().split('\n').filter((line) => line.trim() !== '')).toHaveLength(1)
  })
})
