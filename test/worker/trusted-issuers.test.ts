// Trusted issuers at the edge, inside workerd: the PROTOCOL cases over /v1/messages, the JWKS cache
// that survives isolates (a freshly built instance, its memory empty, verifies from the Cache API
// without a fetch) and that no other Worker of the zone can plant keys in, and hallpass/hono's
// trustedIssuers option. The JWKS server runs in Node on 127.0.0.1 (globalSetup) and counts its
// requests.
import { Hono } from 'hono'
import { describe, expect, inject, it, vi } from 'vitest'
import { cacheApiJwksCache, generateJwk } from '../../src/internal.ts'
import { jwksCacheUrl } from '../../src/jwks/cache.ts'
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
    const entry = await cacheApiJwksCache(caches.default, SECRET).read(control.url(issuer.name))
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
    expect(await caches.default.delete(await jwksCacheUrl(SECRET, control.url(issuer.name)))).toBe(true)
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

/** An entry as the old cache wrote it, or as a neighbour forges one: a JWK Set, no seal. */
const plantedEntry = (body: string, extra: Record<string, unknown> = {}) =>
  new Response(JSON.stringify({ body, fetchedAt: Date.now(), maxAge: 600, ...extra }), { headers: { 'Content-Type': 'application/json', 'Cache-Control': 'max-age=86400' } })

describe('edge worker: no other Worker of the zone can plant keys in the JWKS cache', () => {
  it('never reads the old, guessable key: a JWK Set put there does not verify the attacker\'s token', async () => {
    const { issuer, trusted, token } = await freshIssuer('planted-v1')
    const attacker = { ...(await generateJwk('ES256')), kid: issuer.key.kid }
    await caches.default.put(`https://jwks-cache.hallpass.invalid/v1/${encodeURIComponent(control.url(issuer.name))}`, plantedEntry(jwksBody(attacker)))
    const forged = await idpToken(attacker, { iss: issuer.iss, sub: 'admin' })
    // Before the entries were named and sealed by the deployment's secret: token_valid, no fetch.
    expect(await verify(forged, { HALLPASS_SECRET: SECRET, HALLPASS_TRUSTED_ISSUERS: trusted })).toMatchObject({ type: 'token_invalid', code: 'invalid_signature' })
    expect(await control.count(issuer.name)).toBe(1)
    expect(await verify(await token(), { HALLPASS_SECRET: SECRET, HALLPASS_TRUSTED_ISSUERS: trusted })).toMatchObject({ type: 'token_valid' })
  })
  it('ignores an entry at its own key that fails authentication, says so in the log, and fetches the set', async () => {
    const warnings = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const { issuer, trusted, token } = await freshIssuer('planted-v2')
    const overrides = { HALLPASS_SECRET: SECRET, HALLPASS_TRUSTED_ISSUERS: trusted }
    expect(await verify(await token(), overrides)).toMatchObject({ type: 'token_valid' })
    const url = await jwksCacheUrl(SECRET, control.url(issuer.name))
    const genuine = (await (await caches.default.match(url))!.json()) as { mac: string }
    const attacker = { ...(await generateJwk('ES256')), kid: issuer.key.kid }
    const forged = await idpToken(attacker, { iss: issuer.iss, sub: 'admin' })
    // The genuine entry's seal over another body, no seal, a seal that is not even base64url.
    for (const [i, extra] of [{ mac: genuine.mac }, {}, { mac: '!!' }].entries()) {
      await caches.default.put(url, plantedEntry(jwksBody(attacker), extra))
      // Another configuration is another instance, its memory empty, as in a new isolate.
      expect(await verify(forged, { ...overrides, HALLPASS_ACCESS_TTL: String(990 + i) })).toMatchObject({ type: 'token_invalid', code: 'invalid_signature' })
      expect(await control.count(issuer.name)).toBe(2 + i)
    }
    const log = warnings.mock.calls.flat().join('\n')
    expect(log).toContain(`hallpass: trusted issuer ${JSON.stringify(issuer.iss)}: the JWKS cache's entry for ${control.url(issuer.name)} is ignored: it failed authentication (forged, or corrupted)`)
    expect(log).not.toContain(SECRET)
    // The fetch sealed a genuine entry again: the next new instance reads it without fetching.
    expect(await verify(await token(), { ...overrides, HALLPASS_ACCESS_TTL: '999' })).toMatchObject({ type: 'token_valid' })
    expect(await control.count(issuer.name)).toBe(4)
    warnings.mockRestore()
  })
  it('names entries by the secret: another secret finds nothing, and the URL says nothing of the jwks_uri', async () => {
    const { issuer, trusted, token } = await freshIssuer('named')
    expect(await verify(await token(), { HALLPASS_SECRET: SECRET, HALLPASS_TRUSTED_ISSUERS: trusted })).toMatchObject({ type: 'token_valid' })
    const uri = control.url(issuer.name)
    expect(await cacheApiJwksCache(caches.default, 'another-secret-of-at-least-32-bytes-long').read(uri)).toBeUndefined()
    const url = await jwksCacheUrl(SECRET, uri)
    expect(url).toMatch(/^https:\/\/jwks-cache\.hallpass\.invalid\/v2\/[A-Za-z0-9_-]{43}$/)
    expect(url).not.toContain(issuer.name)
  })
})

describe('hallpass/hono: trustedIssuers', () => {
  const protectedApp = (trusted: string, options: { jwksCacheKey?: string; secret?: string } = {}) => {
    const app = new Hono<HallpassEnv>()
    app.use('/api/*', hallpass({ trustedIssuers: trusted, realm: 'api', ...options }))
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
  it('shares the Cache API under jwksCacheKey (or secret): a second middleware (a new isolate, say) verifies without a fetch', async () => {
    for (const options of [{ jwksCacheKey: 'hono-jwks-cache-key-of-at-least-32-bytes' }, { secret: SECRET }]) {
      const { issuer, trusted, token } = await freshIssuer('hono-cache')
      const t = await token()
      expect((await protectedApp(trusted, options).request('/api/me', { headers: { Authorization: `Bearer ${t}` } })).status).toBe(200)
      expect((await protectedApp(trusted, options).request('/api/me', { headers: { Authorization: `Bearer ${t}` } })).status).toBe(200)
      expect(await control.count(issuer.name)).toBe(1)
      expect(await caches.default.match(await jwksCacheUrl(options.jwksCacheKey ?? options.secret!, control.url(issuer.name)))).toBeDefined()
    }
  })
  it('without a secret to seal entries with, keeps the keys in memory only: nothing planted in the Cache API is read', async () => {
    const { issuer, trusted, token } = await freshIssuer('hono-memory')
    const attacker = { ...(await generateJwk('ES256')), kid: issuer.key.kid }
    await caches.default.put(`https://jwks-cache.hallpass.invalid/v1/${encodeURIComponent(control.url(issuer.name))}`, plantedEntry(jwksBody(attacker)))
    const forged = await idpToken(attacker, { iss: issuer.iss })
    expect((await protectedApp(trusted).request('/api/me', { headers: { Authorization: `Bearer ${forged}` } })).status).toBe(401)
    expect((await protectedApp(trusted).request('/api/me', { headers: { Authorization: `Bearer ${await token()}` } })).status).toBe(200)
    // Each middleware fetched for itself.
    expect(await control.count(issuer.name)).toBe(2)
  })
  it('checks trustedIssuers up front', () => {
    expect(() => hallpass({ trustedIssuers: '[{"issuer":"x","jwks_uri":"http://idp.example/"}]' })).toThrow(/must be https/)
    expect(() => hallpass({ trustedIssuers: [{ issuer: 'x', jwks_uri: 'https://idp.example/', algorithms: ['HS256'] }] })).toThrow(/HMAC/)
    expect(() => hallpass({ trustedIssuers: '[]', verifier: { verify: async () => ({}) } } as never)).toThrow(/give verifier alone, or secret, keys and trustedIssuers without it/)
    expect(() => hallpass({ trustedIssuers: '[]', jwksCacheKey: 'short' })).toThrow(/jwksCacheKey must be a secret of at least 32 bytes/)
  })
})
