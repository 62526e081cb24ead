// POST /v1/messages as HTTP: bodies that never reach the handler (bad JSON, oversized, not an
// object) get an error reply and a 4xx, never a 500; configuration comes from bindings, once per isolate.
import { env, exports } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createHallpass } from '../../src/internal.ts'
import { instanceFor } from '../../worker/instance.ts'
import { accessToken, SECRET, tamperSignature } from '../support/forge.ts'
import { MAX_BODY_BYTES } from '../../worker/body.ts'
import { bindings, call, issue, message } from './support.ts'

type Reply = Record<string, unknown>
const post = (body: BodyInit, headers: Record<string, string> = {}) => call('/v1/messages', { method: 'POST', body, headers: { 'Content-Type': 'application/json', ...headers } })

afterEach(() => {
  vi.restoreAllMocks()
})

describe('POST /v1/messages: bodies the handler never sees', () => {
  it.each([
    ['not JSON', '{"type": "verify_token", '],
    ['empty', ''],
    ['JSON with a trailing comma', '{"type":"inspect_token","token":"x",}'],
  ])('answers 400 with error 12 for a body that is %s', async (_label, body) => {
    const response = await post(body)
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ type: 'error', code: 12, text: 'Request body is not valid JSON' })
  })

  it.each([['an array', '[{"type":"init"}]'], ['a number', '42'], ['null', 'null'], ['a string', '"verify_token"'], ['true', 'true']])(
    'answers 400 with an error reply for a JSON value that is %s',
    async (_label, body) => {
      const response = await post(body)
      expect(response.status).toBe(400)
      expect(await response.json()).toEqual({ type: 'error', code: 12, text: 'A message must be a JSON object' })
    },
  )

  it('answers 400 for a body that is not UTF-8', async () => {
    const response = await post(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]))
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ type: 'error', code: 12 })
  })

  it('answers 413 with error 12 for a body over 1 MiB announced by Content-Length', async () => {
    const body = JSON.stringify({ type: 'inspect_token', token: 'x'.repeat(MAX_BODY_BYTES) })
    const response = await post(body)
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ type: 'error', code: 12 })
  })

  it('answers 413 for an oversized streamed body without Content-Length', async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x20)
    let sent = 0
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > MAX_BODY_BYTES * 2) return controller.close()
        sent += chunk.byteLength
        controller.enqueue(chunk)
      },
    })
    const response = await exports.default.fetch(new Request('https://hallpass.test/v1/messages', { method: 'POST', body: stream, headers: { 'Content-Type': 'application/json' } }))
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ type: 'error', code: 12 })
    expect(sent).toBeLessThan(MAX_BODY_BYTES * 2)
  })

  it('takes a body of exactly 1 MiB', async () => {
    const base = JSON.stringify({ type: 'inspect_token', token: '' })
    const body = JSON.stringify({ type: 'inspect_token', token: 'x'.repeat(MAX_BODY_BYTES - base.length) })
    expect(new TextEncoder().encode(body).length).toBe(MAX_BODY_BYTES)
    const response = await post(body)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ type: 'token_invalid', code: 'malformed_token' })
  })

  it('answers protocol-level errors (unknown type, missing field) 200 with the same reply as the stdin node', async () => {
    const unknown = await message({ type: 'make_coffee', msg_id: 3 })
    expect(unknown.status).toBe(200)
    expect(await unknown.json()).toEqual({ type: 'error', in_reply_to: 3, code: 10, text: 'Unknown message type' })
    const missing = await message({ src: 'c1', dest: 'jwt', body: { type: 'verify_token', msg_id: 4 } })
    expect(await missing.json()).toEqual({ src: 'jwt', dest: 'c1', body: { type: 'error', in_reply_to: 4, code: 12, text: 'token must be a string' } })
  })

  it('marks every reply uncacheable: it may carry tokens', async () => {
    const response = await message({ type: 'inspect_token', token: 'x' })
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    expect(response.headers.get('Content-Type')).toMatch(/^application\/json/)
  })
})

describe('POST /v1/messages: the same MessageHandler as the stdin node', () => {
  it('adds nothing to and drops nothing from the handler reply', async () => {
    const handler = (await createHallpass({ secret: SECRET, onWarning: () => undefined })).handler()
    const token = await accessToken({ exp: Math.floor(Date.now() / 1000) - 100 })
    const messages = [
      { src: 'c1', dest: 'n1', body: { type: 'init', msg_id: 1, node_id: 'n1', node_ids: ['n1'] } },
      { src: 'c1', dest: 'jwt', body: { type: 'inspect_token', msg_id: 'a', token } },
      { type: 'verify_token', msg_id: 2, token },
      { type: 'verify_token', msg_id: 3, token: tamperSignature(token) },
      { type: 'refresh_token', msg_id: 4, refresh_token: token },
      { type: 'revoke_token', msg_id: 5, token: 'x.y.z' },
      { type: 'verify_token', msg_id: 6, token: 7 },
      { type: 'generate_access_token', msg_id: 7, payload: { sub: '' } },
      { type: 'no_such_type', msg_id: 8 },
      { msg_id: 9 },
      { src: 'c2', dest: 'jwt', body: [] },
    ]
    for (const m of messages) {
      const response = await message(m, bindings({ HALLPASS_SECRET: SECRET }))
      expect(await response.json(), JSON.stringify(m)).toEqual(await handler.handle(m))
    }
  })
})

describe('routes', () => {
  it('answers GET /health', async () => {
    const response = await exports.default.fetch('https://hallpass.test/health')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'ok' })
  })

  it.each(['/v1/messages', '/oauth/token', '/oauth/revoke'])('answers 405 with Allow: POST to GET %s', async (path) => {
    const response = await call(path)
    expect(response.status).toBe(405)
    expect(response.headers.get('Allow')).toBe('POST')
  })

  it('answers 404 elsewhere', async () => {
    expect((await call('/v2/messages', { method: 'POST' })).status).toBe(404)
  })

  it.each([
    ['POST /v1/messages', () => message({ type: 'inspect_token', msg_id: 1, token: 'x' })],
    ['POST /v1/messages, a body that is not JSON', () => message('{')],
    ['POST /v1/messages without the issuer credential', () => message({ type: 'generate_access_token', msg_id: 1, payload: { sub: 'u' } }, undefined, null)],
    ['POST /oauth/token', () => call('/oauth/token', { method: 'POST' })],
    ['POST /oauth/revoke', () => call('/oauth/revoke', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'token=x' })],
    ['GET /health', () => call('/health')],
    ['GET /v1/messages (405)', () => call('/v1/messages')],
    ['POST /nowhere (404)', () => call('/nowhere', { method: 'POST' })],
  ])('sends X-Content-Type-Options: nosniff on %s', async (_label, send) => {
    expect((await send()).headers.get('X-Content-Type-Options')).toBe('nosniff')
  })
})

describe('configuration from bindings', () => {
  it('builds one instance per isolate and configuration', async () => {
    const first = instanceFor(env)
    expect(instanceFor(env)).toBe(first)
    expect(instanceFor({ ...env })).toBe(first)
    expect(instanceFor(bindings({ HALLPASS_SECRET: env.HALLPASS_SECRET!, HALLPASS_ACCESS_TTL: '60' }))).not.toBe(first)
  })

  it('takes TOML numbers for the lifetimes', async () => {
    const bound = { ...bindings({ HALLPASS_SECRET: env.HALLPASS_SECRET! }), HALLPASS_ACCESS_TTL: 60 }
    const reply = (await (await message({ type: 'generate_access_token', payload: { sub: 'u' } }, bound)).json()) as Reply
    expect(reply).toMatchObject({ type: 'token_generated', expires_in: 60 })
  })

  it.each([
    ['no HALLPASS_SECRET', {}, 'neither HALLPASS_SECRET nor HALLPASS_KEYS is set'],
    ['a short HALLPASS_SECRET', { HALLPASS_SECRET: 'short-secret-value' }, 'HALLPASS_SECRET is too short'],
    ['a short HALLPASS_ISSUER_KEY', { HALLPASS_SECRET: 'x'.repeat(40), HALLPASS_ISSUER_KEY: 'short-issuer-key' }, 'HALLPASS_ISSUER_KEY is too short'],
    ['HALLPASS_ISSUER_KEY equal to HALLPASS_SECRET', { HALLPASS_SECRET: 'y'.repeat(40), HALLPASS_ISSUER_KEY: 'y'.repeat(40) }, 'HALLPASS_ISSUER_KEY must differ'],
    ['no REVOCATIONS binding', { HALLPASS_SECRET: 'w'.repeat(40), REVOCATIONS: undefined }, 'the Durable Object binding REVOCATIONS is missing'],
    ['a bad HALLPASS_ACCESS_TTL', { HALLPASS_SECRET: 'z'.repeat(40), HALLPASS_ACCESS_TTL: 'soon' }, 'HALLPASS_ACCESS_TTL must be a whole number'],
  ] as Array<[string, Record<string, unknown>, string]>)('refuses to serve with %s: 500 and 503 on /health, the reason in the log only', async (_label, overrides, logged) => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const bound = { ...bindings(), HALLPASS_ISSUER_KEY: undefined, ...overrides } as unknown as typeof env
    const response = await message({ type: 'verify_token', msg_id: 1, token: 'x' }, bound)
    expect(response.status).toBe(500)
    const reply = (await response.json()) as Reply
    expect(reply).toEqual({ type: 'error', code: 13, text: 'hallpass is misconfigured: see the worker logs' })
    expect((await call('/health', {}, bound)).status).toBe(503)
    const log = errors.mock.calls.flat().join('\n')
    expect(log).toContain(logged)
    for (const [name, value] of Object.entries(overrides)) if (/SECRET|KEY/.test(name)) expect(log).not.toContain(value as string)
  })

  it('answers 503 with error 11 when the state is unreachable, changes nothing, and logs why but no token', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const broken = { idFromName: () => { throw new Error('Durable Objects unavailable') }, get: () => { throw new Error('unreachable') } }
    const bound = { ...env, REFRESH_FAMILIES: broken } as unknown as typeof env
    const response = await message({ type: 'generate_access_token', msg_id: 8, payload: { sub: 'u' } }, bound)
    expect(response.status).toBe(503)
    expect(await response.json()).toEqual({ type: 'error', in_reply_to: 8, code: 11, text: 'Store unavailable' })
    expect(errors.mock.calls.flat().join('\n')).toContain('store unavailable: Error: Durable Objects unavailable')
    // A verifier that never loaded its view of the revocations cannot: refused, never let through
    // unchecked; and at HALLPASS_REVOCATION_STALENESS=0 one that cannot ask the subject's object.
    const { access_token } = await issue({ sub: 'u' })
    const feedDown = { ...env, REVOCATION_FEED: broken } as unknown as typeof env
    const revocationsDown = { ...env, REVOCATIONS: broken, HALLPASS_REVOCATION_STALENESS: '0' } as unknown as typeof env
    for (const [id, bound] of [[9, feedDown], [10, revocationsDown]] as const) {
      const verify = await message({ type: 'verify_token', msg_id: id, token: access_token }, bound)
      expect(verify.status).toBe(503)
      expect(await verify.json()).toEqual({ type: 'error', in_reply_to: id, code: 11, text: 'Store unavailable' })
    }
    expect(errors.mock.calls.flat().join('\n')).not.toContain(access_token as string)
  })
})
