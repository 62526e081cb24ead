// GET /.well-known/jwks.json, and hallpass/hono verifying with the key set it serves: the edge
// worker publishes its asymmetric keys; a protected app verifies locally from them.
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { hallpass, type HallpassEnv } from '../../src/hono.ts'
import { keySet, makeKeys, publicOf, REFRESH_SECRET } from '../support/keys.ts'
import { bindings, call, issue } from './support.ts'

const keys = await makeKeys()
const bound = bindings({ HALLPASS_KEYS: keySet(keys.ES256, publicOf(keys.EdDSA), keys.HS256), HALLPASS_REFRESH_SECRET: REFRESH_SECRET })

describe('GET /.well-known/jwks.json', () => {
  it('publishes every asymmetric key, public members only, cacheable, with an ETag', async () => {
    const response = await call('/.well-known/jwks.json', {}, bound)
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toMatch(/^application\/jwk-set\+json/)
    expect(response.headers.get('Cache-Control')).toMatch(/^public, max-age=\d+$/)
    expect(response.headers.get('ETag')).toMatch(/^"[A-Za-z0-9_-]{43}"$/)
    const { keys: published } = (await response.json()) as { keys: Array<Record<string, unknown>> }
    expect(published).toEqual([{ ...publicOf(keys.ES256), use: 'sig' }, { ...publicOf(keys.EdDSA), use: 'sig' }])
    for (const key of published) for (const member of ['d', 'k', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(member)
  })
  it('answers 304 to a matching If-None-Match, and 200 to another', async () => {
    const etag = (await call('/.well-known/jwks.json', {}, bound)).headers.get('ETag')!
    const again = await call('/.well-known/jwks.json', { headers: { 'If-None-Match': `W/"x", ${etag}` } }, bound)
    expect(again.status).toBe(304)
    expect(again.headers.get('ETag')).toBe(etag)
    expect(await again.text()).toBe('')
    expect((await call('/.well-known/jwks.json', { headers: { 'If-None-Match': '"other"' } }, bound)).status).toBe(200)
  })
  it('publishes an empty set with HALLPASS_SECRET alone', async () => {
    expect(await (await call('/.well-known/jwks.json')).json()).toEqual({ keys: [] })
  })
})

describe('hallpass/hono with keys: the worker’s published set verifies its tokens locally', () => {
  it('lets an ES256 token through, and refuses one whose kid the set does not hold', async () => {
    const published = await (await call('/.well-known/jwks.json', {}, bound)).text()
    const app = new Hono<HallpassEnv>()
    app.use('/api/*', hallpass({ keys: published }))
    app.get('/api/me', (c) => c.json({ sub: c.get('jwtPayload').sub }))
    const { access_token: token } = await issue({ sub: 'edge-user' }, bound)
    const ok = await app.request('/api/me', { headers: { Authorization: `Bearer ${token as string}` } })
    expect(ok.status).toBe(200)
    expect(await ok.json()).toEqual({ sub: 'edge-user' })
    const other = new Hono<HallpassEnv>()
    other.use('/api/*', hallpass({ keys: keySet({ ...publicOf((await makeKeys()).ES256), kid: 'another' }) }))
    other.get('/api/me', (c) => c.text('no'))
    const refused = await other.request('/api/me', { headers: { Authorization: `Bearer ${token as string}` } })
    expect(refused.status).toBe(401)
    expect(await refused.json()).toMatchObject({ code: 'unknown_key' })
  })
})
