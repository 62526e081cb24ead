// The message handler's own guarantees, beneath any transport: bounded nesting, and exactly one
// reply text for every message with a msg_id, even when a reply cannot be serialized.
import { describe, expect, it } from 'vitest'
import { createHallpass, MessageHandler, type Hallpass } from '../../src/internal.ts'
import { nodeCrypto } from '../../src/node/crypto.ts'
import type { SerializedReply } from '../../src/protocol/handler.ts'
import { jsonProblem, MAX_JSON_DEPTH } from '../../src/lib/json.ts'

const nested = (levels: number): unknown => JSON.parse('['.repeat(levels) + ']'.repeat(levels))

describe('jsonProblem', () => {
  it('counts the outermost value as level 1 and stops at the bound', () => {
    expect(jsonProblem({}, 1)).toBeUndefined()
    expect(jsonProblem({ a: {} }, 1)).toBe('too_deep')
    expect(jsonProblem(nested(MAX_JSON_DEPTH))).toBeUndefined()
    expect(jsonProblem(nested(MAX_JSON_DEPTH + 1))).toBe('too_deep')
    expect(jsonProblem(nested(200_000))).toBe('too_deep')
    expect(jsonProblem('x', 0)).toBeUndefined()
  })
  it('finds non-finite numbers only when asked', () => {
    expect(jsonProblem({ a: [1, Infinity] })).toBeUndefined()
    expect(jsonProblem({ a: [1, Infinity] }, MAX_JSON_DEPTH, true)).toBe('not_finite')
    expect(jsonProblem({ a: [1, -1e308, 5e-324] }, MAX_JSON_DEPTH, true)).toBeUndefined()
  })
  it('ends on a cycle (a library caller can build one)', () => {
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    expect(jsonProblem(cycle)).toBe('too_deep')
  })
})

describe('MessageHandler.respond', () => {
  const errors: unknown[] = []
  // A stand-in whose verify answers what no real operation can: a payload JSON cannot write.
  const broken = { verify: async () => ({ n: 1n }) } as unknown as Hallpass
  const handler = new MessageHandler(broken, { onInternalError: (error) => errors.push(error) })

  it('turns a reply that cannot be serialized into an error 13 reply, still addressed', async () => {
    const response = await handler.respond({ src: 'c1', dest: 'jwt', body: { type: 'verify_token', msg_id: 7, token: 'x' } })
    expect(JSON.parse(response!.text)).toEqual({ src: 'jwt', dest: 'c1', body: { type: 'error', in_reply_to: 7, code: 13, text: 'Internal error' } })
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(TypeError)
  })
  it('answers an operation that throws a non-hallpass error with error 13 too', async () => {
    const throwing = new MessageHandler({ verify: () => { throw new RangeError('boom') } } as unknown as Hallpass, { onInternalError: () => undefined })
    const response = await throwing.respond({ type: 'verify_token', msg_id: 'a', token: 'x' })
    expect(JSON.parse(response!.text)).toEqual({ type: 'error', in_reply_to: 'a', code: 13, text: 'Internal error' })
  })
  it('gives null for what is not a JSON object, as handle does', async () => {
    expect(await handler.respond([1])).toBeNull()
    expect(await handler.respond('x')).toBeNull()
  })
})

describe('MessageHandler.respondNow', () => {
  const SECRET = 'respond-now-secret-respond-now-secret!!'
  const verifyLine = (token: string) => ({ type: 'verify_token', msg_id: 1, token })

  it('answers at once when every step is synchronous (node:crypto, the memory store), with the reply respond gives', async () => {
    const hp = await createHallpass({ secret: SECRET, crypto: nodeCrypto })
    const handler = hp.handler()
    const { access_token } = await hp.issue({ sub: 'alice' })
    for (const message of [verifyLine(access_token), verifyLine('not.a.token'), { type: 'generate_access_token', msg_id: 2, payload: { sub: 'bob' } }, { type: 'nope', msg_id: 3 }]) {
      const now = handler.respondNow(message)
      expect(now).not.toBeInstanceOf(Promise)
      expect(JSON.parse((now as SerializedReply).text).type).toBe(JSON.parse((await handler.respond(message))!.text).type)
    }
    expect(JSON.parse((handler.respondNow(verifyLine(access_token)) as SerializedReply).text)).toMatchObject({ type: 'token_valid', in_reply_to: 1, payload: { sub: 'alice' } })
  })
  it('hands back a promise where something is awaited (WebCrypto), and the same reply', async () => {
    const hp = await createHallpass({ secret: SECRET })
    const { access_token } = await hp.issue({ sub: 'alice' })
    const later = hp.handler().respondNow(verifyLine(access_token))
    expect(later).toBeInstanceOf(Promise)
    expect(JSON.parse((await later)!.text)).toMatchObject({ type: 'token_valid', payload: { sub: 'alice' } })
  })
  it('keeps the library API asynchronous: a bad token rejects, it never throws', async () => {
    const hp = await createHallpass({ secret: SECRET, crypto: nodeCrypto })
    const verifying = hp.verify('not.a.token')
    expect(verifying).toBeInstanceOf(Promise)
    await expect(verifying).rejects.toMatchObject({ code: 'malformed_token' })
    const issuing = hp.issue({ sub: '' })
    expect(issuing).toBeInstanceOf(Promise)
    await expect(issuing).rejects.toThrow('payload.sub must be a non-empty string')
  })
})
