// The issuer credential: generate_access_token and revoke_subject over HTTP need `Authorization:
// Bearer <HALLPASS_ISSUER_KEY>`; without it the reply is error 1001 with HTTP 401 and nothing is
// minted or revoked.
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { bindings, ISSUER_KEY, message } from './support.ts'

type Reply = Record<string, unknown>
const ISSUE = { type: 'generate_access_token', msg_id: 1, payload: { sub: 'u1' } }
const JWT = /[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/

async function expectRefused(response: Response): Promise<void> {
  expect(response.status).toBe(401)
  expect(response.headers.get('WWW-Authenticate')).toBe('Bearer realm="hallpass"')
  const text = await response.text()
  expect(text).not.toMatch(JWT)
  expect(JSON.parse(text)).toEqual({ type: 'error', in_reply_to: 1, code: 1001, text: 'Unauthorized: this message needs the issuer credential' })
}

describe('issuing over HTTP', () => {
  it('issues with the right credential, the scheme in any case', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const response = await message(ISSUE, env, `${scheme} ${ISSUER_KEY}`)
      expect(response.status).toBe(200)
      expect(((await response.json()) as Reply).type).toBe('token_generated')
    }
  })

  it.each([
    ['no Authorization header', null],
    ['an empty credential', 'Bearer '],
    ['a wrong credential', 'Bearer test-issuer-key-that-is-at-least-32-bytez'],
    ['a prefix of the credential', `Bearer ${ISSUER_KEY.slice(0, -1)}`],
    ['the credential plus a character', `Bearer ${ISSUER_KEY}x`],
    ['another scheme', `Basic ${btoa(`issuer:${ISSUER_KEY}`)}`],
    ['the credential without a scheme', ISSUER_KEY],
    ['the HS256 secret instead', `Bearer ${env.HALLPASS_SECRET}`],
  ])('refuses %s: 401, error 1001, no token', async (_label, authorization) => {
    await expectRefused(await message(ISSUE, env, authorization))
  })

  it('answers an envelope with an envelope', async () => {
    const response = await message({ src: 'c1', dest: 'jwt', body: ISSUE }, env, null)
    expect(response.status).toBe(401)
    expect(await response.json()).toEqual({ src: 'jwt', dest: 'c1', body: { type: 'error', in_reply_to: 1, code: 1001, text: 'Unauthorized: this message needs the issuer credential' } })
  })

  it('refuses issuing over HTTP altogether when HALLPASS_ISSUER_KEY is unset (secure default)', async () => {
    const bound = { ...bindings({ HALLPASS_SECRET: env.HALLPASS_SECRET! }), HALLPASS_ISSUER_KEY: undefined } as unknown as typeof env
    await expectRefused(await message(ISSUE, bound, `Bearer ${ISSUER_KEY}`))
    await expectRefused(await message(ISSUE, bound, 'Bearer '))
    await expectRefused(await message(ISSUE, bound, 'Bearer undefined'))
  })

  it('needs it for revoke_subject too: without it nobody is logged out', async () => {
    const issued = (await (await message({ ...ISSUE, payload: { sub: 'victim' } })).json()) as Reply
    await expectRefused(await message({ type: 'revoke_subject', msg_id: 1, sub: 'victim' }, env, null))
    await expectRefused(await message({ type: 'revoke_subject', msg_id: 1, sub: 'victim' }, env, 'Bearer wrong-but-long-enough-to-be-a-credential'))
    expect(await (await message({ type: 'verify_token', token: issued.access_token }, env, null)).json()).toMatchObject({ type: 'token_valid' })
    const allowed = await message({ type: 'revoke_subject', msg_id: 2, sub: 'victim' })
    expect(await allowed.json()).toEqual({ type: 'subject_revoked', in_reply_to: 2, sub: 'victim' })
    expect(await (await message({ type: 'verify_token', token: issued.access_token }, env, null)).json()).toMatchObject({ type: 'token_invalid', code: 'token_revoked' })
  })

  it('needs no credential for the other messages', async () => {
    const issued = (await (await message(ISSUE)).json()) as Reply
    for (const body of [
      { type: 'verify_token', token: issued.access_token },
      { type: 'inspect_token', token: issued.access_token },
      { type: 'refresh_token', refresh_token: issued.refresh_token },
      { type: 'init', node_id: 'n1', node_ids: ['n1'] },
    ]) {
      const response = await message(body, env, null)
      expect(response.status).toBe(200)
      expect(((await response.json()) as Reply).type).not.toBe('error')
    }
  })

  it('checks the type before the credential, like the handler: an unknown type is error 10', async () => {
    const response = await message({ type: 'generate_access_tokens', msg_id: 1 }, env, null)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ type: 'error', code: 10 })
  })
})
