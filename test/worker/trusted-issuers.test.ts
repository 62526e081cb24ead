// Trusted issuers at the edge, inside workerd: the PROTOCOL cases over /v1/messages, the JWKS cache
// that survives isolates (a freshly built instance, its memory empty, verifies from the Cache API
// without a fetch), and hallpass/hono's trustedIssuers option. The JWKS server runs in Node on
// 127.0.0.1 (globalSetup) and counts its requests.
import { Hono } from 'hono'
import { describe, expect, inject, it } from 'vitest'
import { cacheApiJwksCache, generateJwk } from '../../src/index.ts'
import { hallpass, type HallpassEnv } from '../../src/hono.ts'
import { trustedIssuerSuite } from '../protocol/trusted.ts'
import { SECRET } from '../support/forge.ts'
import { idpToken, jwksBody, jwksControl, testIssuer } from '../support/jwks-control.ts'
import { bindings, connectWorker, message } from './support.ts'

const control = jwksControl(inject('jwksOrigin'))

trustedIssuerSuite('edge worker', connectWorker, () => control)

async function freshIssuer(label: string) {
  const issuer = await testIssuer(`${label}-${crypto.randomUUID().slice(0, 8)}`)
  await control.set(issuer.name, { body: jwksBody(issuer.key) })
  const trusted = JSON.stringify([{ issuer: issuer.iss, jwks_uri: control.url(issuer.name) }])
  const token = () => idpToken(issuer.key, { iss: issuer.iss, sub: 'edge-user' })
  return { issuer, trusted, token }
}

const verify = async (token: string, overrides: Record<string, string>) =>
  (await (await message({ type: 'verify_token', token }, bindings(overrides))).json()) as Record<string, unknown>

describe('edge worker: the JWKS cache survives isolates', () => {
  it('a freshly built instance (empty isolate memory) verifies from the Cache API without a fetch', async () => {
    const { issuer, trusted, token } = await freshIssuer('cold')
    const t = await token()
    expect(await verify(t, { HALLPASS_SECRET: SECRET, HALLPASS_TRUSTED_ISSUERS: trusted })).toMatchObject({ type: 'token_valid' })
    expect(await control.count(issuer.name)).toBe(1)
    // The Cache API holds the set under a synthetic URL, with when it was fetched and its max-age.
    const entry = await cacheApiJwksCache(caches.default).read(control.url(issuer.name))
    expect(entry).toMatchObject({ body: expect.stringContaining(issuer.key.kid), fetchedAt: expect.any(Number), maxAge: 600 })
    // Another configuration is another instance: its memory is empty, as in a new isolate.
    for (const ttl of ['901', '902']) {
      expect(await verify(t, { HALLPASS_SECRET: SECRET, HALLPASS_TRUSTED_ISSUERS: trusted, HALLPASS_ACCESS_TTL: ttl })).toMatchObject({ type: 'token_valid' })
    }
    expect(await control.count(issuer.name)).toBe(1)
  })
  it('in steady state touches neither the network nor the Cache API', async () => {
    const { issuer, trusted, token } = await freshIssuer('steady')
    const t = await token()
    const overrides = { HALLPASS_SECRET: SECRET, HALLPASS_TRUSTED_ISSUERS: trusted }
    expect(await verify(t, overrides)).toMatchObject({ type: 'token_valid' })
    // Empty the Cache API: a verify that still passes cannot have read it.
    await caches.default.delete(`https://jwks-cache.hallpass.invalid/v1/${encodeURIComponent(control.url(issuer.name))}`)
    for (let i = 0; i < 5; i++) expect(await verify(t, overrides)).toMatchObject({ type: 'token_valid' })
    expect(await control.count(issuer.name)).toBe(1)
  })
  it('a bad HALLPASS_TRUSTED_ISSUERS makes the worker misconfigured (503 on /health), naming nothing secret', async () => {
    const bad = bindings({ HALLPASS_SECRET: SECRET, HALLPASS_TRUSTED_ISSUERS: JSON.stringify([{ issuer: 'x', jwks_uri: 'http://idp.example/jwks' }]) })
    const { default: app } = await import('../../worker/index.ts')
    const response = await app.request('https://hallpass.test/health', {}, bad)
    expect(response.status).toBe(503)
  })
})

describe('hallpass/hono: trustedIssuers', () => {
  const protectedApp = (trusted: string) => {
    const app = new Hono<HallpassEnv>()
    app.use('/api/*', hallpass({ trustedIssuers: trusted, realm: 'api' }))
    app.get('/api/me', (c) => c.json(c.get('jwtPayload')))
    return app
  }
  it('lets a trusted issuer token through with its claims on c.get("jwtPayload"), and answers RFC 6750 otherwise', async () => {
    const { issuer, trusted, token } = await freshIssuer('hono')
    const app = protectedApp(trusted)
    const ok = await app.request('/api/me', { headers: { Authorization: `Bearer ${await token()}` } })
    expect(ok.status).toBe(200)
    expect(await ok.json()).toMatchObject({ iss: issuer.iss, sub: 'edge-user' })
    const forged = await idpToken({ ...(await generateJwk('ES256')), kid: issuer.key.kid }, { iss: issuer.iss })
    const refused = await app.request('/api/me', { headers: { Authorization: `Bearer ${forged}` } })
    expect(refused.status).toBe(401)
    expect(refused.headers.get('WWW-Authenticate')).toBe('Bearer realm="api", error="invalid_token", error_description="Invalid signature"')
    expect((await app.request('/api/me')).status).toBe(401)
  })
  it('shares the Cache API: a second middleware (a new isolate, say) verifies without a fetch', async () => {
    const { issuer, trusted, token } = await freshIssuer('hono-cache')
    const t = await token()
    expect((await protectedApp(trusted).request('/api/me', { headers: { Authorization: `Bearer ${t}` } })).status).toBe(200)
    expect((await protectedApp(trusted).request('/api/me', { headers: { Authorization: `Bearer ${t}` } })).status).toBe(200)
    expect(await control.count(issuer.name)).toBe(1)
  })
  it('checks trustedIssuers up front', () => {
    expect(() => hallpass({ trustedIssuers: '[{"issuer":"x","jwks_uri":"http://idp.example/"}]' })).toThrow(/must be https/)
    expect(() => hallpass({ trustedIssuers: [{ issuer: 'x', jwks_uri: 'https://idp.example/', algorithms: ['HS256'] }] })).toThrow(/HMAC/)
    expect(() => hallpass({ trustedIssuers: '[]', verifier: { verify: async () => ({}) } } as never)).toThrow(/one of secret, keys and verifier/)
  })
})
