// POST /oauth/token (RFC 6749 §6 refresh grant, §5.1 and §5.2 answers) and POST /oauth/revoke (RFC 7009).
import { describe, expect, it } from 'vitest'
import { call, form, issue, message } from './support.ts'

type Reply = Record<string, unknown>

const refresh = (refreshToken: string) => form('/oauth/token', { grant_type: 'refresh_token', refresh_token: refreshToken })
const verify = async (token: unknown) => (await (await message({ type: 'verify_token', token })).json()) as Reply

function expectNoStore(response: Response): void {
  expect(response.headers.get('Cache-Control')).toBe('no-store')
  expect(response.headers.get('Pragma')).toBe('no-cache')
}

async function expectError(response: Response, status: number, error: string): Promise<Reply> {
  expect(response.status).toBe(status)
  expectNoStore(response)
  const body = (await response.json()) as Reply
  expect(body.error).toBe(error)
  expect(typeof body.error_description).toBe('string')
  return body
}

describe('POST /oauth/token, grant_type=refresh_token', () => {
  it('rotates: RFC 6749 §5.1 success, not cacheable', async () => {
    const first = await issue({ sub: 'ada', roles: ['user'] })
    const response = await refresh(first.refresh_token as string)
    expect(response.status).toBe(200)
    expectNoStore(response)
    const body = (await response.json()) as Reply
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900, refresh_expires_in: 604800 })
    expect(body.refresh_token).not.toBe(first.refresh_token)
    expect(await verify(body.access_token)).toMatchObject({ type: 'token_valid', payload: { sub: 'ada', roles: ['user'] } })
  })

  it('takes a JSON body too', async () => {
    const first = await issue()
    const response = await call('/oauth/token', { method: 'POST', headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: first.refresh_token }) })
    expect(response.status).toBe(200)
  })

  it('answers invalid_grant for a spent token, revokes the family, and the newest token fails too', async () => {
    const first = await issue()
    const second = (await (await refresh(first.refresh_token as string)).json()) as Reply
    const reused = await expectError(await refresh(first.refresh_token as string), 400, 'invalid_grant')
    expect(reused.error_description).toBe('Refresh token reused')
    expect((await expectError(await refresh(second.refresh_token as string), 400, 'invalid_grant')).error_description).toBe('Token revoked')
  })

  it('answers invalid_grant for a revoked family', async () => {
    const first = await issue()
    expect((await form('/oauth/revoke', { token: first.refresh_token as string })).status).toBe(200)
    await expectError(await refresh(first.refresh_token as string), 400, 'invalid_grant')
  })

  it.each([
    ['an access token', async () => (await issue()).access_token as string, 'Wrong token type'],
    ['garbage', async () => 'not-a-token', 'Malformed token'],
    ['a forged token', async () => { const t = (await issue()).refresh_token as string; return t.slice(0, -2) + (t.endsWith('AA') ? 'BA' : 'AA') }, 'Invalid signature'],
  ])('answers invalid_grant for %s, never echoing it', async (_label, make, description) => {
    const token = await make()
    const response = await refresh(token)
    const text = await response.clone().text()
    expect((await expectError(response, 400, 'invalid_grant')).error_description).toBe(description)
    expect(text).not.toContain(token)
  })

  it('lets exactly one of concurrent refreshes win', async () => {
    const first = await issue()
    const responses = await Promise.all(Array.from({ length: 10 }, () => refresh(first.refresh_token as string)))
    expect(responses.filter((r) => r.status === 200)).toHaveLength(1)
    expect(responses.filter((r) => r.status === 400)).toHaveLength(9)
  })

  it.each([
    ['no grant_type', { refresh_token: 'x' }, 'invalid_request'],
    ['an empty grant_type', { grant_type: '', refresh_token: 'x' }, 'invalid_request'],
    ['grant_type=password', { grant_type: 'password', username: 'a', password: 'b' }, 'unsupported_grant_type'],
    ['grant_type=authorization_code', { grant_type: 'authorization_code', code: 'x' }, 'unsupported_grant_type'],
    ['no refresh_token', { grant_type: 'refresh_token' }, 'invalid_request'],
  ])('answers 400 %s → %s', async (_label, fields, error) => {
    await expectError(await form('/oauth/token', fields), 400, error)
  })

  it('refuses a repeated parameter (RFC 6749 §3.2)', async () => {
    const response = await call('/oauth/token', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'grant_type=refresh_token&refresh_token=a&refresh_token=b' })
    await expectError(response, 400, 'invalid_request')
  })

  it.each([
    ['twice', '{"grant_type":"refresh_token","refresh_token":"a","refresh_token":"b"}'],
    ['twice, spelled differently', '{"grant_type":"refresh_token","refresh_token":"a","refresh_\\u0074oken":"b"}'],
    ['as grant_type twice with spaces', '{ "grant_type" : "refresh_token" , "refresh_token":"a" , "grant_type" :"x"}'],
  ])('refuses a repeated parameter in a JSON body too: %s', async (_label, body) => {
    const response = await call('/oauth/token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })
    const reply = await expectError(response, 400, 'invalid_request')
    expect(reply.error_description).toMatch(/repeated/)
  })

  it('does not mistake a name inside a string value for a repeated parameter', async () => {
    const { refresh_token: refreshToken } = await issue()
    const body = JSON.stringify({ grant_type: 'refresh_token', refresh_token: refreshToken, note: '"refresh_token":"x"' })
    expect((await call('/oauth/token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })).status).toBe(200)
  })

  it.each([
    ['no Content-Type', {}, 'grant_type=refresh_token&refresh_token=x'],
    ['text/plain', { 'Content-Type': 'text/plain' }, 'grant_type=refresh_token&refresh_token=x'],
    ['JSON that is not an object', { 'Content-Type': 'application/json' }, '["refresh_token"]'],
    ['JSON with a number', { 'Content-Type': 'application/json' }, '{"grant_type":"refresh_token","refresh_token":5}'],
    ['broken JSON', { 'Content-Type': 'application/json' }, '{"grant_type":'],
  ])('answers invalid_request for %s', async (_label, headers, body) => {
    await expectError(await call('/oauth/token', { method: 'POST', headers, body }), 400, 'invalid_request')
  })

  it('answers 413 for an oversized body', async () => {
    await expectError(await form('/oauth/token', { grant_type: 'refresh_token', refresh_token: 'x'.repeat(70 * 1024) }), 413, 'invalid_request')
  })
})

describe('POST /oauth/revoke (RFC 7009)', () => {
  it('revokes an access token: 200, then verify refuses it', async () => {
    const { access_token } = await issue()
    const response = await form('/oauth/revoke', { token: access_token as string, token_type_hint: 'access_token' })
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('')
    expect(await verify(access_token)).toMatchObject({ type: 'token_invalid', code: 'token_revoked' })
  })

  it('revokes a refresh token with its family, whatever the hint says', async () => {
    const first = await issue()
    expect((await form('/oauth/revoke', { token: first.refresh_token as string, token_type_hint: 'access_token' })).status).toBe(200)
    expect(((await (await refresh(first.refresh_token as string)).json()) as Reply).error).toBe('invalid_grant')
  })

  it.each([['garbage', 'not-a-token'], ['a forged token', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.AAAA'], ['a token revoked before', '']])(
    'answers 200 for %s too',
    async (label, token) => {
      const value = label === 'a token revoked before' ? ((await issue()).access_token as string) : token
      if (label === 'a token revoked before') await form('/oauth/revoke', { token: value })
      expect((await form('/oauth/revoke', { token: value })).status).toBe(200)
    },
  )

  it('answers invalid_request without a token', async () => {
    await expectError(await form('/oauth/revoke', { token_type_hint: 'refresh_token' }), 400, 'invalid_request')
  })
})
