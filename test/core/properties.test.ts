// Property-based tests of the core (fast-check): round trips, mutations, and the handler under
// arbitrary JSON.
import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { createHallpass, TokenError } from '../../src/internal.ts'
import { SECRET } from '../support/forge.ts'
import { mutation } from '../support/mutations.ts'

const hp = await createHallpass({ secret: SECRET })
const NODE_CLAIMS = new Set(['iat', 'exp', 'nbf', 'jti'])

const claimName = fc.string({ minLength: 1, maxLength: 12 }).filter((name) => !NODE_CLAIMS.has(name) && name !== 'sub')
const claims = fc.record({
  sub: fc.string({ minLength: 1, maxLength: 40 }),
  rest: fc.dictionary(claimName, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 8 }),
})

/** What a claim set looks like after a trip through JSON (-0 becomes 0, and so on). */
const viaJson = (value: unknown) => JSON.parse(JSON.stringify(value))

describe('properties', () => {
  test.prop([claims], { numRuns: 200 })('any claim set round-trips through issue and verify', async ({ sub, rest }) => {
    const input = { ...rest, sub }
    const { access_token } = await hp.issue(input)
    const payload = await hp.verify(access_token)
    for (const [name, value] of Object.entries(viaJson(input))) expect(payload[name]).toEqual(value)
  })

  test.prop([claims, mutation], { numRuns: 1000 })('no mutation of a valid token is ever accepted', async ({ sub, rest }, change) => {
    const { access_token } = await hp.issue({ ...rest, sub })
    const mutated = change.apply(access_token)
    fc.pre(mutated !== access_token)
    const error = await hp.verify(mutated).then(() => null, (e: unknown) => e)
    expect(error, `${change.kind} in segment ${change.segment}`).toBeInstanceOf(TokenError)
  })

  test.prop([fc.string({ maxLength: 200 })], { numRuns: 500 })('any string as a token gets a TokenError, never anything else', async (token) => {
    await expect(hp.verify(token)).rejects.toBeInstanceOf(TokenError)
  })

  const types = fc.constantFrom('init', 'generate_access_token', 'verify_token', 'refresh_token', 'revoke_token', 'inspect_token')
  const anyField = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.string(), fc.constant(undefined))
  const message = fc.record(
    {
      type: fc.oneof(types, types, anyField),
      msg_id: fc.oneof(fc.integer(), fc.string(), anyField),
      token: anyField,
      refresh_token: anyField,
      payload: fc.oneof(anyField, fc.record({ sub: anyField }), fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }))),
      node_id: anyField,
    },
    { requiredKeys: [] },
  )
  const REPLY_TYPES = new Set(['init_ok', 'token_generated', 'token_valid', 'token_invalid', 'token_refreshed', 'token_revoked', 'token_inspected', 'error'])

  test.prop([message, fc.boolean(), fc.jsonValue({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 2 })], { numRuns: 1000 })(
    'any JSON in any field of any message gets a PROTOCOL reply, never an internal error',
    async (body, enveloped, src, dest) => {
      const handler = hp.handler({ onInternalError: (e) => expect.unreachable(String(e)) })
      const reply = await handler.handle(enveloped ? { src, dest, body } : body)
      expect(reply).not.toBeNull()
      const replyBody = (enveloped ? reply!.body : reply) as Record<string, unknown>
      expect(REPLY_TYPES.has(replyBody.type as string)).toBe(true)
      if (replyBody.type === 'error') expect([10, 12]).toContain(replyBody.code)
      JSON.stringify(reply)
    },
  )
})
