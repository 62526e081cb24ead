// The PROTOCOL.md contract, written once and run against every transport: the stdin node over
// pipes and the edge worker over HTTP. Only WebCrypto and vitest here, so it runs inside workerd.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import rfc7515 from '../fixtures/conformance/rfc7515-a1.json' with { type: 'json' }
import seedSamples from '../fixtures/conformance/seed-samples.json' with { type: 'json' }
import { accessToken, forge, now, SECRET, tamperSignature } from '../support/forge.ts'
import { ATTACKS } from '../support/attacks.ts'
import { decodePart } from '../support/jwt.ts'
import { matches } from './match.ts'
import { bodyOf, type Connect, type Message, type Transport } from './transport.ts'

const ISSUE = { type: 'generate_access_token', payload: { sub: 'user123', email: 'user@example.com', roles: ['user'] } }

/** Runs the protocol contract against the transport `connect` starts. */
export function protocolSuite(name: string, connect: Connect): void {
  describe(`${name}: PROTOCOL.md`, () => {
    let node: Transport
    let msgId = 100
    const ask = async (body: Message): Promise<Message> => bodyOf(await node.request({ ...body, msg_id: ++msgId }))
    const issue = async (payload: Message = ISSUE.payload) => ask({ type: 'generate_access_token', payload })
    const verify = (token: unknown) => ask({ type: 'verify_token', token })

    beforeAll(async () => {
      node = await connect({ HALLPASS_SECRET: SECRET })
    })
    afterAll(async () => {
      await node?.close()
    })

    describe('conformance: seed samples', () => {
      for (const testCase of seedSamples.cases) {
        it(testCase.name, async () => {
          const steps = 'steps' in testCase && testCase.steps ? testCase.steps : [testCase]
          let accessTokenOfStep1 = ''
          for (const step of steps) {
            const input = JSON.parse(JSON.stringify(step.input).replace('{{access_token of step 1}}', accessTokenOfStep1))
            const reply = await node.request(input)
            expect(reply.src).toBe(input.dest)
            expect(reply.dest).toBe(input.src)
            const body = bodyOf(reply)
            if (body.type === 'token_generated') accessTokenOfStep1 = body.access_token as string
            if ('expect' in step && step.expect) expect(matches(step.expect, body), JSON.stringify(body)).toBe(true)
          }
        })
      }
    })

    describe('envelope', () => {
      it('swaps src and dest and returns msg_id as in_reply_to, numbers and strings alike', async () => {
        const reply = await node.request({ src: 'c9', dest: 'jwt', body: { ...ISSUE, msg_id: 'abc-1' } })
        expect(reply).toMatchObject({ src: 'jwt', dest: 'c9', body: { type: 'token_generated', in_reply_to: 'abc-1' } })
      })
      it('answers a bare body with a bare body', async () => {
        const reply = await node.request({ ...ISSUE, msg_id: 77 })
        expect(reply.type).toBe('token_generated')
        expect(reply.in_reply_to).toBe(77)
        expect(reply).not.toHaveProperty('body')
      })
      it('leaves out in_reply_to when there is no msg_id', async () => {
        const reply = await node.request({ src: 'c1', dest: 'jwt', body: { type: 'inspect_token', token: (await issue()).access_token } })
        expect(bodyOf(reply).type).toBe('token_inspected')
        expect(bodyOf(reply)).not.toHaveProperty('in_reply_to')
      })
      it('ignores unknown request fields', async () => {
        const reply = await node.request({ src: 'c1', dest: 'jwt', extra: 1, body: { ...ISSUE, msg_id: 5, color: 'blue' } })
        expect(bodyOf(reply).type).toBe('token_generated')
      })
      it('answers init with init_ok', async () => {
        const reply = await node.request({ src: 'c1', dest: 'n1', body: { type: 'init', msg_id: 1, node_id: 'n1', node_ids: ['n1'] } })
        expect(reply).toEqual({ src: 'n1', dest: 'c1', body: { type: 'init_ok', in_reply_to: 1 } })
      })
    })

    describe('generate_access_token', () => {
      it('issues an HS256 access token with the caller claims and node-owned iat, exp, jti', async () => {
        const reply = await issue()
        expect(reply).toMatchObject({ type: 'token_generated', token_type: 'Bearer', expires_in: 900, refresh_expires_in: 604800 })
        const token = reply.access_token as string
        expect(decodePart(token, 0)).toEqual({ alg: 'HS256', typ: 'JWT' })
        const claims = decodePart(token, 1)
        expect(claims).toMatchObject(ISSUE.payload)
        expect(claims.exp).toBe((claims.iat as number) + 900)
        expect(Math.abs((claims.iat as number) - now())).toBeLessThanOrEqual(5)
        expect(typeof claims.jti).toBe('string')
        expect(reply.refresh_token).not.toBe(token)
      })
      it('gives every token a unique jti', async () => {
        const [a, b] = await Promise.all([issue(), issue()])
        expect(decodePart(a.access_token as string, 1).jti).not.toBe(decodePart(b.access_token as string, 1).jti)
      })
      it('does not let the caller choose iat, exp, nbf or jti', async () => {
        const reply = await issue({ sub: 'u1', iat: 1, exp: 9999999999, nbf: 9999999999, jti: 'mine' })
        const claims = decodePart(reply.access_token as string, 1)
        expect(claims.exp).toBe((claims.iat as number) + 900)
        expect(claims.jti).not.toBe('mine')
        expect(claims).not.toHaveProperty('nbf')
        expect((await verify(reply.access_token)).type).toBe('token_valid')
      })
      it.each([
        ['no payload', {}],
        ['payload not an object', { payload: 'sub=u1' }],
        ['payload an array', { payload: [{ sub: 'u1' }] }],
        ['payload null', { payload: null }],
        ['no sub', { payload: { email: 'a@b.c' } }],
        ['empty sub', { payload: { sub: '' } }],
        ['sub not a string', { payload: { sub: 42 } }],
      ])('answers error 12 for %s', async (_label, fields) => {
        const reply = await ask({ type: 'generate_access_token', ...fields })
        expect(reply).toMatchObject({ type: 'error', code: 12 })
        expect(typeof reply.text).toBe('string')
      })
      it('refuses a payload too large for a token (error 12)', async () => {
        const reply = await issue({ sub: 'u1', blob: 'x'.repeat(20000) })
        expect(reply).toMatchObject({ type: 'error', code: 12 })
      })
    })

    describe('verify_token', () => {
      it('returns all claims of a valid token', async () => {
        const token = (await issue()).access_token as string
        const reply = await verify(token)
        expect(reply.type).toBe('token_valid')
        expect(reply.payload).toEqual(decodePart(token, 1))
      })
      it('verifies an HS256 token from another library holding the secret', async () => {
        const reply = await verify(await forge({ alg: 'HS256' }, { sub: 'x', exp: now() + 60 }))
        expect(reply).toMatchObject({ type: 'token_valid', payload: { sub: 'x' } })
      })

      it.each(ATTACKS)('refuses %s', async (_label, makeToken, code) => {
        const reply = await verify(await makeToken(async () => (await issue()).refresh_token as string))
        expect(reply).toMatchObject({ type: 'token_invalid', code })
        expect(typeof reply.error).toBe('string')
        expect(reply).not.toHaveProperty('payload')
      })
      it('never echoes the token in the error text', async () => {
        const token = tamperSignature(await accessToken())
        const reply = await verify(token)
        expect(JSON.stringify(reply)).not.toContain(token.split('.')[1])
      })
      it.each([
        ['no token', {}],
        ['a number', { token: 42 }],
        ['an object', { token: { a: 1 } }],
        ['null', { token: null }],
      ])('answers error 12 for %s', async (_label, fields) => {
        expect(await ask({ type: 'verify_token', ...fields })).toMatchObject({ type: 'error', code: 12 })
      })
    })

    describe('refresh_token', () => {
      it('rotates: a new access token with the same caller claims, and a new refresh token', async () => {
        const first = await issue()
        const reply = await ask({ type: 'refresh_token', refresh_token: first.refresh_token })
        expect(reply).toMatchObject({ type: 'token_refreshed', token_type: 'Bearer', expires_in: 900, refresh_expires_in: 604800 })
        expect(reply.refresh_token).not.toBe(first.refresh_token)
        const before = decodePart(first.access_token as string, 1)
        const after = decodePart(reply.access_token as string, 1)
        expect(after).toMatchObject(ISSUE.payload)
        expect(after.jti).not.toBe(before.jti)
        expect((await verify(reply.access_token)).type).toBe('token_valid')
      })
      it('detects reuse of a spent token and revokes the whole family', async () => {
        const first = await issue()
        const second = await ask({ type: 'refresh_token', refresh_token: first.refresh_token })
        const third = await ask({ type: 'refresh_token', refresh_token: second.refresh_token })
        expect(third.type).toBe('token_refreshed')
        expect(await ask({ type: 'refresh_token', refresh_token: first.refresh_token })).toMatchObject({ type: 'token_invalid', code: 'refresh_token_reused', error: 'Refresh token reused' })
        expect(await ask({ type: 'refresh_token', refresh_token: third.refresh_token })).toMatchObject({ type: 'token_invalid', code: 'token_revoked' })
      })
      it('lets exactly one of concurrent refreshes with one token win', async () => {
        const first = await issue()
        const replies = (await node.requestAll(Array.from({ length: 8 }, (_, i) => ({ type: 'refresh_token', msg_id: 9000 + i, refresh_token: first.refresh_token })))).map(bodyOf)
        expect(replies.filter((r) => r.type === 'token_refreshed')).toHaveLength(1)
        expect(replies.filter((r) => r.type === 'token_invalid')).toHaveLength(7)
      })
      it('refuses an access token as a refresh token', async () => {
        const first = await issue()
        expect(await ask({ type: 'refresh_token', refresh_token: first.access_token })).toMatchObject({ type: 'token_invalid', code: 'wrong_token_type' })
      })
      it('refuses a forged refresh token', async () => {
        const first = await issue()
        expect(await ask({ type: 'refresh_token', refresh_token: tamperSignature(first.refresh_token as string) })).toMatchObject({ type: 'token_invalid', code: 'invalid_signature' })
      })
      it('answers error 12 without a refresh_token string', async () => {
        expect(await ask({ type: 'refresh_token', token: 'x' })).toMatchObject({ type: 'error', code: 12 })
      })
    })

    describe('revoke_token', () => {
      it('revokes an access token: verify refuses it, and revoking again answers token_revoked', async () => {
        const token = (await issue()).access_token
        expect(await ask({ type: 'revoke_token', token })).toMatchObject({ type: 'token_revoked' })
        expect(await verify(token)).toMatchObject({ type: 'token_invalid', code: 'token_revoked', error: 'Token revoked' })
        expect(await ask({ type: 'revoke_token', token })).toMatchObject({ type: 'token_revoked' })
      })
      it('revokes a refresh token with its family', async () => {
        const first = await issue()
        expect(await ask({ type: 'revoke_token', token: first.refresh_token })).toMatchObject({ type: 'token_revoked' })
        expect(await ask({ type: 'refresh_token', refresh_token: first.refresh_token })).toMatchObject({ type: 'token_invalid', code: 'token_revoked' })
      })
      it('answers token_invalid for a token that does not verify', async () => {
        expect(await ask({ type: 'revoke_token', token: tamperSignature(await accessToken()) })).toMatchObject({ type: 'token_invalid', code: 'invalid_signature' })
      })
    })

    describe('revoke_subject', () => {
      const subject = () => `logout-${Math.random().toString(36).slice(2)}`

      it("logs a subject out everywhere: its access and refresh tokens, every family, nobody else's", async () => {
        const sub = subject()
        const phone = await issue({ sub, device: 'phone' })
        const laptop = await issue({ sub, device: 'laptop' })
        const rotated = await ask({ type: 'refresh_token', refresh_token: laptop.refresh_token })
        const other = await issue({ sub: `${sub}-other` })
        expect(await ask({ type: 'revoke_subject', sub })).toEqual({ type: 'subject_revoked', in_reply_to: msgId, sub })
        for (const token of [phone.access_token, laptop.access_token, rotated.access_token]) {
          expect(await verify(token)).toMatchObject({ type: 'token_invalid', code: 'token_revoked' })
        }
        for (const token of [phone.refresh_token, rotated.refresh_token]) {
          expect(await ask({ type: 'refresh_token', refresh_token: token })).toMatchObject({ type: 'token_invalid', code: 'token_revoked' })
        }
        expect(await verify(other.access_token)).toMatchObject({ type: 'token_valid' })
        expect(await ask({ type: 'refresh_token', refresh_token: other.refresh_token })).toMatchObject({ type: 'token_refreshed' })
      })
      it('lets the subject log in again at once, within the same second, and refresh that login', async () => {
        const sub = subject()
        const before = await issue({ sub })
        await ask({ type: 'revoke_subject', sub })
        const after = await issue({ sub })
        expect(decodePart(after.access_token as string, 1).iat).toBeLessThanOrEqual(decodePart(before.access_token as string, 1).iat as number + 1)
        expect(await verify(after.access_token)).toMatchObject({ type: 'token_valid' })
        const refreshed = await ask({ type: 'refresh_token', refresh_token: after.refresh_token })
        expect(refreshed).toMatchObject({ type: 'token_refreshed' })
        expect(await verify(refreshed.access_token)).toMatchObject({ type: 'token_valid' })
        expect(await verify(before.access_token)).toMatchObject({ type: 'token_invalid', code: 'token_revoked' })
      })
      it('covers what a refresh racing it mints (v3): sent together, in either order, nothing of the family passes after, and a login after does', async () => {
        for (let trial = 0; trial < 12; trial++) {
          const sub = subject()
          const login = await issue({ sub })
          const older = trial % 3 === 0 ? await ask({ type: 'refresh_token', refresh_token: login.refresh_token }) : login
          const refresh = { type: 'refresh_token', msg_id: ++msgId, refresh_token: older.refresh_token }
          const revoke = { type: 'revoke_subject', msg_id: ++msgId, sub }
          const replies = (await node.requestAll(trial % 2 === 0 ? [refresh, revoke] : [revoke, refresh])).map(bodyOf)
          const refreshed = replies.find((reply) => reply.in_reply_to === refresh.msg_id)!
          expect(replies.find((reply) => reply.in_reply_to === revoke.msg_id)).toMatchObject({ type: 'subject_revoked' })
          if (refreshed.type !== 'token_refreshed') expect(refreshed).toMatchObject({ type: 'token_invalid', code: 'token_revoked' })
          else expect(decodePart(refreshed.access_token as string, 1).auth_time).toBe(decodePart(login.access_token as string, 1).auth_time)
          for (const tokens of refreshed.type === 'token_refreshed' ? [login, older, refreshed] : [login, older]) {
            expect(await verify(tokens.access_token), `trial ${trial}`).toMatchObject({ type: 'token_invalid', code: 'token_revoked' })
            expect(await ask({ type: 'refresh_token', refresh_token: tokens.refresh_token }), `trial ${trial}`).toMatchObject({ type: 'token_invalid' })
          }
          const again = await issue({ sub })
          expect(await verify(again.access_token)).toMatchObject({ type: 'token_valid' })
        }
      })
      it('stamps every token of a family with its login instant, auth_time, in milliseconds; a caller cannot set it (v3)', async () => {
        const sub = subject()
        const login = await issue({ sub, auth_time: 1 })
        const claims = decodePart(login.access_token as string, 1)
        const authTime = claims.auth_time as number
        expect(authTime).toBeGreaterThan(1_700_000_000)
        expect(Math.round(authTime * 1000) / 1000).toBe(authTime)
        expect(Math.floor(authTime)).toBe(claims.iat)
        expect(decodePart(login.refresh_token as string, 1).auth_time).toBe(authTime)
        const refreshed = await ask({ type: 'refresh_token', refresh_token: login.refresh_token })
        expect(decodePart(refreshed.access_token as string, 1).auth_time).toBe(authTime)
        expect(decodePart(refreshed.refresh_token as string, 1).auth_time).toBe(authTime)
        expect(await verify(refreshed.access_token)).toMatchObject({ type: 'token_valid', payload: { auth_time: authTime } })
      })
      it('keeps subjects a store could mangle apart: a NUL, a lone surrogate, the escape character (v3)', async () => {
        const base = subject()
        const subs = [`${base}\u0000x`, base, `${base}\ud800`, `${base}\udfff`, `${base}\ufffd`, `\u001b"${base}"`]
        const logins = []
        for (const sub of subs) logins.push(await issue({ sub }))
        for (const [i, sub] of subs.entries()) {
          expect(await ask({ type: 'revoke_subject', sub })).toMatchObject({ type: 'subject_revoked', sub })
          for (const [j, tokens] of logins.entries()) {
            expect(await verify(tokens.access_token), `${JSON.stringify(sub)} logged out ${JSON.stringify(subs[j])}`).toMatchObject(j <= i ? { code: 'token_revoked' } : { type: 'token_valid', payload: { sub: subs[j] } })
          }
        }
      })
      it('succeeds for a subject it has never seen, and again for the same one', async () => {
        const sub = subject()
        expect(await ask({ type: 'revoke_subject', sub })).toMatchObject({ type: 'subject_revoked', sub })
        expect(await ask({ type: 'revoke_subject', sub })).toMatchObject({ type: 'subject_revoked', sub })
      })
      it.each([
        ['no sub', {}],
        ['an empty sub', { sub: '' }],
        ['a number', { sub: 42 }],
        ['an object', { sub: { id: 'u' } }],
      ])('answers error 12 for %s', async (_label, fields) => {
        expect(await ask({ type: 'revoke_subject', ...fields })).toMatchObject({ type: 'error', code: 12, in_reply_to: msgId })
      })
    })

    describe('inspect_token', () => {
      it('decodes without verifying', async () => {
        const token = tamperSignature(await accessToken({ exp: now() - 100 }))
        const reply = await ask({ type: 'inspect_token', token })
        expect(reply).toMatchObject({ type: 'token_inspected', verified: false, header: { alg: 'HS256', typ: 'JWT' }, payload: { sub: 'user123' } })
      })
      it('answers malformed_token for what cannot be decoded', async () => {
        expect(await ask({ type: 'inspect_token', token: 'not-a-token' })).toMatchObject({ type: 'token_invalid', code: 'malformed_token' })
      })
    })

    describe('request errors', () => {
      it('answers error 10 for an unknown type', async () => {
        expect(await ask({ type: 'make_coffee' })).toMatchObject({ type: 'error', code: 10 })
      })
      it('answers error 12 for a missing type', async () => {
        expect(await ask({ token: 'x' })).toMatchObject({ type: 'error', code: 12 })
      })
      it('answers error 12 for a body that is not an object', async () => {
        const reply = await node.request({ src: 'c1', dest: 'jwt', body: 'verify' })
        expect(reply).toMatchObject({ src: 'jwt', dest: 'c1', body: { type: 'error', code: 12 } })
      })
    })
  })

  describe(`${name}: bounds, and a reply a client can match for every message`, () => {
    let node: Transport
    beforeAll(async () => {
      node = await connect({ HALLPASS_SECRET: SECRET })
    })
    afterAll(async () => {
      await node?.close()
    })
    const ask = async (body: Message) => bodyOf(await node.request({ ...body, msg_id: 1 }))
    /** JSON text of arrays nested `levels` deep around `inner`. */
    const nested = (levels: number, inner = '1') => '['.repeat(levels) + inner + ']'.repeat(levels)
    /** A claims text whose `deep` claim makes the whole payload `levels` deep. */
    const deepClaims = (levels: number) => `{"sub":"deep","exp":${now() + 600},"deep":${nested(levels - 1)}}`

    it.each([
      ['an object', '{"a":1}'],
      ['an array nested 20 000 deep', nested(20_000)],
      ['null', 'null'],
      ['true', 'true'],
      ['2^53 + 1 (it would come back as 2^53)', '9007199254740993'],
      ['2^53', '9007199254740992'],
      ['-(2^53)', '-9007199254740992'],
      ['1e400 (Infinity once parsed)', '1e400'],
      ['-1e400', '-1e400'],
    ])('answers a msg_id that is %s with error 12 and no in_reply_to', async (_label, msgId) => {
      const reply = await node.request(`{"src":"c1","dest":"jwt","body":{"type":"verify_token","msg_id":${msgId},"token":"a.b.c"}}`)
      expect(reply).toMatchObject({ src: 'jwt', dest: 'c1', body: { type: 'error', code: 12 } })
      expect(bodyOf(reply)).not.toHaveProperty('in_reply_to')
    })
    it.each([
      ['2^53 − 1', 9007199254740991],
      ['-(2^53 − 1)', -9007199254740991],
      ['a fraction', 1.5],
      ['zero', 0],
    ])('returns a msg_id of %s unchanged', async (_label, msgId) => {
      const reply = bodyOf(await node.request(`{"type":"inspect_token","msg_id":${JSON.stringify(msgId)},"token":"x"}`))
      expect(reply).toMatchObject({ type: 'token_invalid', in_reply_to: msgId })
    })
    it('answers a wrong-typed src with error 12 that carries in_reply_to', async () => {
      const reply = await node.request(`{"src":${nested(20_000)},"dest":"jwt","body":{"type":"verify_token","msg_id":41,"token":"x"}}`)
      expect(reply).toMatchObject({ src: 'jwt', body: { type: 'error', code: 12, in_reply_to: 41 } })
      expect(reply).not.toHaveProperty('dest')
    })
    it('answers a wrong-typed dest with error 12 that carries in_reply_to and dest', async () => {
      const reply = await node.request({ src: 'c7', dest: 5, body: { type: 'verify_token', msg_id: 42, token: 'x' } })
      expect(reply).toMatchObject({ dest: 'c7', body: { type: 'error', code: 12, in_reply_to: 42 } })
    })
    it('answers a body that is not an object with error 12 addressed back', async () => {
      expect(await node.request({ src: 'c8', dest: 'jwt', body: [1] })).toMatchObject({ src: 'jwt', dest: 'c8', body: { type: 'error', code: 12 } })
    })

    it('takes a message nested 64 levels deep and refuses one of 65 with error 12', async () => {
      // Bare body (level 1) > payload (2) > "deep" (3 …): the payload's claim holds the rest.
      const message = (levels: number) => `{"type":"generate_access_token","msg_id":43,"payload":{"sub":"u","deep":${nested(levels - 2, '0')}}}`
      expect(bodyOf(await node.request(message(64)))).toMatchObject({ type: 'token_generated', in_reply_to: 43 })
      const refused = bodyOf(await node.request(message(65)))
      expect(refused).toMatchObject({ type: 'error', code: 12, in_reply_to: 43 })
      expect(refused.text).toMatch(/64 levels/)
    })
    it.each([100, 2_500, 4_099, 6_000, 20_000])('refuses to issue a payload nested %i deep (error 12)', async (levels) => {
      const reply = bodyOf(await node.request(`{"type":"generate_access_token","msg_id":44,"payload":{"sub":"u","deep":${nested(levels)}}}`))
      expect(reply).toMatchObject({ type: 'error', code: 12, in_reply_to: 44 })
    })
    it('refuses to issue a payload holding 1e400 (it would come back as null)', async () => {
      expect(bodyOf(await node.request('{"type":"generate_access_token","msg_id":45,"payload":{"sub":"u","n":1e400}}'))).toMatchObject({ type: 'error', code: 12, in_reply_to: 45 })
    })
    it('verifies a token whose payload is 64 levels deep, and every message answers one 65 deep as malformed_token', async () => {
      expect(await ask({ type: 'verify_token', token: await forge({ alg: 'HS256', typ: 'JWT' }, deepClaims(64)) })).toMatchObject({ type: 'token_valid' })
      const token = await forge({ alg: 'HS256', typ: 'JWT' }, deepClaims(65))
      for (const type of ['verify_token', 'inspect_token', 'revoke_token']) {
        expect(await ask({ type, token }), type).toMatchObject({ type: 'token_invalid', code: 'malformed_token' })
      }
      expect(await ask({ type: 'refresh_token', refresh_token: token })).toMatchObject({ type: 'token_invalid', code: 'malformed_token' })
    })
    it.each([2_500, 3_000, 4_099, 6_000])('answers malformed_token for a signed token nested %i deep, on verify and inspect', async (levels) => {
      const token = await forge({ alg: 'HS256', typ: 'JWT' }, deepClaims(levels))
      expect(await ask({ type: 'verify_token', token })).toMatchObject({ type: 'token_invalid', code: 'malformed_token' })
      expect(await ask({ type: 'inspect_token', token })).toMatchObject({ type: 'token_invalid', code: 'malformed_token' })
    })
    it('answers malformed_token for a header nested too deep', async () => {
      const token = await forge({ alg: 'HS256', typ: 'JWT', x: JSON.parse(nested(70)) as unknown }, { sub: 'u', exp: now() + 60 })
      expect(await ask({ type: 'verify_token', token })).toMatchObject({ type: 'token_invalid', code: 'malformed_token' })
    })

    it('issues at the size limit only tokens it can also refresh (both within 16 KiB, or error 12)', async () => {
      // The largest `sub` the node accepts, found by bisection: the refresh token carries `sub`
      // too, with a longer header and the family claims.
      const issueSub = async (length: number) => ask({ type: 'generate_access_token', payload: { sub: 's'.repeat(length) } })
      let low = 1
      let high = 16 * 1024
      let largest = await issueSub(low)
      while (low < high) {
        const mid = Math.ceil((low + high) / 2)
        const reply = await issueSub(mid)
        if (reply.type === 'token_generated') [low, largest] = [mid, reply]
        else high = mid - 1
      }
      expect(largest.type).toBe('token_generated')
      // A few characters more are refused: the boundary moves by the digits auth_time's
      // milliseconds take (1765155000 to 1765155000.123), up to 6 characters of base64url.
      expect(await issueSub(low + 8)).toMatchObject({ type: 'error', code: 12 })
      expect((largest.access_token as string).length).toBeLessThanOrEqual(16 * 1024)
      expect((largest.refresh_token as string).length).toBeLessThanOrEqual(16 * 1024)
      let refreshToken = largest.refresh_token
      for (let round = 0; round < 3; round++) {
        const refreshed = await ask({ type: 'refresh_token', refresh_token: refreshToken })
        expect(refreshed, `refresh ${round}`).toMatchObject({ type: 'token_refreshed' })
        expect(await ask({ type: 'verify_token', token: refreshed.access_token })).toMatchObject({ type: 'token_valid' })
        refreshToken = refreshed.refresh_token
      }
      // A payload of many claims at the limit, likewise.
      const claims = await ask({ type: 'generate_access_token', payload: { sub: 'u', blob: 'b'.repeat(11_000) } })
      expect(claims.type).toBe('token_generated')
      expect(await ask({ type: 'refresh_token', refresh_token: claims.refresh_token })).toMatchObject({ type: 'token_refreshed' })
    })

    it('answers every one of the nastiest messages exactly once, matched by in_reply_to, and never with error 13', async () => {
      const token = (await ask({ type: 'generate_access_token', payload: { sub: 'nasty' } })).access_token as string
      const deepToken = await forge({ alg: 'HS256', typ: 'JWT' }, deepClaims(5_000))
      const bodies = [
        `"type":"inspect_token","token":${JSON.stringify(deepToken)}`,
        `"type":"verify_token","token":${JSON.stringify(deepToken)}`,
        `"type":"verify_token","token":${nested(50_000)}`,
        `"type":"generate_access_token","payload":{"sub":"x","deep":${nested(20_000)}}`,
        `"type":"generate_access_token","payload":{"sub":"x","o":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}`,
        `"type":"generate_access_token","payload":{"sub":${JSON.stringify('s'.repeat(15_000))}}`,
        `"type":"generate_access_token","payload":{"sub":"x","n":1e400,"m":-1e-400}`,
        `"type":"verify_token","token":${JSON.stringify(token)},"pad":${nested(30_000)}`,
        `"type":"revoke_token","token":"\\ud800.\\udfff.x"`,
        `"type":"init","node_id":${nested(10_000)}`,
        `"type":${nested(10_000)}`,
        `"type":"refresh_token","refresh_token":${JSON.stringify(token)}`,
      ]
      let id = 5_000
      for (const body of bodies) {
        for (const envelope of [(b: string) => `{${b}}`, (b: string) => `{"src":"c1","dest":"jwt","body":{${b}}}`]) {
          const msgId = ++id
          const reply = await node.request(envelope(`"msg_id":${msgId},${body}`))
          expect(bodyOf(reply).in_reply_to, body.slice(0, 80)).toBe(msgId)
          expect(bodyOf(reply).code, body.slice(0, 80)).not.toBe(13)
        }
      }
    })
  })

  describe(`${name}: RFC 7515 A.1 under its own key`, () => {
    let node: Transport
    beforeAll(async () => {
      node = await connect({ HALLPASS_SECRET: JSON.stringify(rfc7515.jwk) })
    })
    afterAll(async () => {
      await node?.close()
    })
    it('finds the signature good and the token expired', async () => {
      const reply = bodyOf(await node.request({ type: 'verify_token', msg_id: 1, token: rfc7515.token }))
      expect(matches(rfc7515.expect, reply)).toBe(true)
    })
    it('finds the signature bad once it is changed', async () => {
      const reply = bodyOf(await node.request({ type: 'verify_token', msg_id: 2, token: tamperSignature(rfc7515.token) }))
      expect(matches(rfc7515.with_signature_changed.expect, reply)).toBe(true)
    })
  })

  describe(`${name}: configured issuer, audience and lifetimes`, () => {
    let node: Transport
    beforeAll(async () => {
      node = await connect({ HALLPASS_SECRET: SECRET, HALLPASS_ISSUER: 'https://auth.example', HALLPASS_AUDIENCE: 'api', HALLPASS_ACCESS_TTL: '60', HALLPASS_REFRESH_TTL: '3600', HALLPASS_CLOCK_TOLERANCE: '30' })
    })
    afterAll(async () => {
      await node?.close()
    })
    const ask = async (body: Message) => bodyOf(await node.request({ ...body, msg_id: 1 }))
    it('puts iss and aud in tokens and uses the configured lifetimes', async () => {
      const reply = await ask({ type: 'generate_access_token', payload: { sub: 'u1', iss: 'me', aud: 'them' } })
      expect(reply).toMatchObject({ expires_in: 60, refresh_expires_in: 3600 })
      const claims = decodePart(reply.access_token as string, 1)
      expect(claims).toMatchObject({ iss: 'https://auth.example', aud: 'api' })
      expect(claims.exp).toBe((claims.iat as number) + 60)
      expect((await ask({ type: 'verify_token', token: reply.access_token })).type).toBe('token_valid')
    })
    it.each([
      ['a missing issuer', { aud: 'api' }, 'invalid_claims'],
      ['another issuer', { iss: 'https://evil.example', aud: 'api' }, 'invalid_claims'],
      ['another audience', { iss: 'https://auth.example', aud: 'other' }, 'invalid_claims'],
    ])('refuses %s', async (_label, claims, code) => {
      expect(await ask({ type: 'verify_token', token: await accessToken(claims) })).toMatchObject({ type: 'token_invalid', code })
    })
    it('accepts the audience inside an array', async () => {
      expect((await ask({ type: 'verify_token', token: await accessToken({ iss: 'https://auth.example', aud: ['x', 'api'] }) })).type).toBe('token_valid')
    })
    it('allows the clock tolerance on exp and nbf', async () => {
      const claims = { iss: 'https://auth.example', aud: 'api' }
      expect((await ask({ type: 'verify_token', token: await accessToken({ ...claims, exp: now() - 10 }) })).type).toBe('token_valid')
      expect((await ask({ type: 'verify_token', token: await accessToken({ ...claims, nbf: now() + 10 }) })).type).toBe('token_valid')
      expect(await ask({ type: 'verify_token', token: await accessToken({ ...claims, exp: now() - 60 }) })).toMatchObject({ code: 'token_expired' })
    })
  })
}
