// Random and mutated bodies into POST /v1/messages (the same generator as the stdin node's fuzz
// test): never a 5xx, never anything but a PROTOCOL reply, and still answering afterwards.
import { describe, expect, it } from 'vitest'
import { fuzzMessages, REPLY_TYPES } from '../support/fuzz.ts'
import { MAX_BODY_BYTES } from '../../worker/body.ts'
import { call, issue, ISSUER_KEY, message } from './support.ts'

const BODIES = 5000

describe('POST /v1/messages under fuzzing', () => {
  it(`answers ${BODIES} random and mutated bodies with PROTOCOL replies only`, { timeout: 120_000 }, async () => {
    const validToken = (await issue({ sub: 'fuzz' })).access_token as string
    const bodies = fuzzMessages({ seed: 20261124, count: BODIES, heavyEach: 2, validToken, limitBytes: MAX_BODY_BYTES, limitPairs: 1 })
    const statuses = new Map<number, number>()
    for (const body of bodies) {
      const response = await call('/v1/messages', { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ISSUER_KEY}` }, body })
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
      expect(response.status, new TextDecoder().decode(body.slice(0, 200))).toBeLessThan(500)
      expect(response.headers.get('Content-Type')).toMatch(/^application\/json/)
      const reply = (await response.json()) as Record<string, unknown>
      const replyBody = (typeof reply.body === 'object' && reply.body !== null ? reply.body : reply) as Record<string, unknown>
      expect(REPLY_TYPES.has(replyBody.type as string), JSON.stringify(reply).slice(0, 200)).toBe(true)
      expect(JSON.stringify(reply)).not.toContain(validToken.split('.')[2])
    }
    expect(statuses.get(413)).toBe(1) // the body one byte over the limit
    expect(statuses.get(200)).toBeGreaterThan(BODIES / 4)
    const after = await issue({ sub: 'after' })
    const verified = (await (await message({ type: 'verify_token', token: after.access_token })).json()) as Record<string, unknown>
    expect(verified).toMatchObject({ type: 'token_valid', payload: { sub: 'after' } })
  })
})
