// hallpass/hono: the middleware's option checks, RFC 6750 challenges, and claims on the context,
// with the local secret, a Hallpass instance, and the worker's TokenService (revocation-aware).
import { env, exports } from 'cloudflare:workers'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { ConfigError, createHallpass, TokenError } from '../../src/internal.ts'
import { hallpass, serviceVerifier, type HallpassEnv, type HallpassMiddlewareOptions } from '../../src/hono.ts'
import { accessToken, forge, now, SECRET, segment, tamperSignature, withSegment } from '../support/forge.ts'

/** The worker's own HALLPASS_SECRET in these tests (vitest.config.ts): its tokens verify with it. */
const WORKER_SECRET = env.HALLPASS_SECRET!

function protectedApp(options: HallpassMiddlewareOptions) {
  const app = new Hono<HallpassEnv>()
  app.use('/api/*', hallpass(options))
  app.get('/api/me', (c) => c.json(c.get('jwtPayload')))
  app.get('/open', (c) => c.text('open'))
  return app
}

const get = (app: Hono<HallpassEnv>, authorization?: string) =>
  app.request('/api/me', authorization === undefined ? {} : { headers: { Authorization: authorization } })

describe('hallpass(): options checked up front', () => {
  it.each([
    ['no options', undefined],
    ['neither secret nor verifier', {}],
    ['both secret and verifier', { secret: SECRET, verifier: { verify: async () => ({}) } }],
    ['a short secret', { secret: 'too-short' }],
    ['a secret that is not a string', { secret: 42 }],
    ['a broken JWK', { secret: '{"kty":"oct"' }],
    ['a verifier without verify', { verifier: {} }],
    ['an empty issuer', { secret: SECRET, issuer: '' }],
    ['a negative clockTolerance', { secret: SECRET, clockTolerance: -1 }],
    ['a realm with a quote', { secret: SECRET, realm: 'a"b' }],
    ['a realm with a newline', { secret: SECRET, realm: 'a\r\nSet-Cookie: x' }],
    ['both secret and keys', { secret: SECRET, keys: '{"keys":[]}' }],
    ['an empty key set', { keys: '{"keys":[]}' }],
    ['a key set that is not JSON', { keys: '{"keys":' }],
    ['a key without alg', { keys: { keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' }] } }],
  ])('throws ConfigError for %s', (_label, options) => {
    expect(() => hallpass(options as HallpassMiddlewareOptions)).toThrow(ConfigError)
  })

  it('never puts the secret in the error', () => {
    const secret = 'short-secret-value'
    expect(() => hallpass({ secret })).toThrow(/too short/)
    try {
      hallpass({ secret })
    } catch (error) {
      expect(String(error)).not.toContain(secret)
    }
  })

  it('returns a named async function', () => {
    const middleware = hallpass({ secret: SECRET })
    expect(middleware.name).toBe('hallpassAuth')
    expect(middleware.constructor.name).toBe('AsyncFunction')
  })
})

describe('hallpass({ secret })', () => {
  const app = protectedApp({ secret: SECRET, realm: 'api' })

  it('lets a valid token through and puts all its claims on the context', async () => {
    const hp = await createHallpass({ secret: SECRET })
    const { access_token } = await hp.issue({ sub: 'ada', roles: ['admin'] })
    const response = await get(app, `Bearer ${access_token}`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual(await hp.verify(access_token))
  })

  it('accepts the scheme in any case', async () => {
    expect((await get(app, `bearer ${await accessToken()}`)).status).toBe(200)
  })

  it('leaves other routes alone', async () => {
    expect((await app.request('/open')).status).toBe(200)
  })

  it.each([
    ['no Authorization header', undefined],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['an empty header', ''],
  ])('challenges %s without an error code (RFC 6750 §3.1)', async (_label, authorization) => {
    const response = await get(app, authorization)
    expect(response.status).toBe(401)
    expect(response.headers.get('WWW-Authenticate')).toBe('Bearer realm="api"')
  })

  it.each([['Bearer alone', 'Bearer'], ['Bearer and spaces', 'Bearer   '], ['two tokens', 'Bearer a.b.c d.e.f'], ['a comma', 'Bearer a,b']])(
    'answers 400 invalid_request for %s',
    async (_label, authorization) => {
      const response = await get(app, authorization)
      expect(response.status).toBe(400)
      expect(response.headers.get('WWW-Authenticate')).toBe('Bearer realm="api", error="invalid_request", error_description="Malformed Authorization header"')
    },
  )

  const t = () => now()
  it.each([
    ['an expired token', () => accessToken({ exp: t() - 10 }), 'token_expired', 'Token expired'],
    ['a tampered signature', async () => tamperSignature(await accessToken()), 'invalid_signature', 'Invalid signature'],
    ['another secret', () => accessToken({}, 'another-secret-another-secret-another-secret'), 'invalid_signature', 'Invalid signature'],
    ['alg none', async () => `${segment({ alg: 'none' })}.${segment({ sub: 'admin', exp: t() + 60 })}.`, 'unsupported_algorithm', 'Unsupported algorithm'],
    ['alg HS512', () => forge({ alg: 'HS512' }, { sub: 'u', exp: t() + 60 }, SECRET, 'SHA-512'), 'unsupported_algorithm', 'Unsupported algorithm'],
    ['a token not yet valid', () => accessToken({ nbf: t() + 300 }), 'token_not_yet_valid', 'Token not yet valid'],
    ['garbage', async () => 'abc.def', 'malformed_token', 'Malformed token'],
    ['a refresh token', async () => (await (await createHallpass({ secret: SECRET })).issue({ sub: 'u' })).refresh_token, 'wrong_token_type', 'Wrong token type'],
    ['a tampered payload', async () => withSegment(await accessToken(), 1, segment({ sub: 'admin', exp: t() + 60 })), 'invalid_signature', 'Invalid signature'],
  ])('answers 401 invalid_token for %s, never echoing it', async (_label, make, code, description) => {
    const token = await make()
    const response = await get(app, `Bearer ${token}`)
    expect(response.status).toBe(401)
    expect(response.headers.get('WWW-Authenticate')).toBe(`Bearer realm="api", error="invalid_token", error_description="${description}"`)
    const body = await response.text()
    expect(JSON.parse(body)).toEqual({ error: 'invalid_token', error_description: description, code })
    if (token.length > 3) expect(body + response.headers.get('WWW-Authenticate')).not.toContain(token.split('.')[1] || token)
  })

  it('enforces issuer and audience when given', async () => {
    const strict = protectedApp({ secret: SECRET, issuer: 'https://auth.example', audience: 'api' })
    expect((await get(strict, `Bearer ${await accessToken({ iss: 'https://auth.example', aud: 'api' })}`)).status).toBe(200)
    expect((await get(strict, `Bearer ${await accessToken({ iss: 'https://evil.example', aud: 'api' })}`)).status).toBe(401)
    expect((await get(strict, `Bearer ${await accessToken()}`)).status).toBe(401)
  })

  it('applies the clock tolerance', async () => {
    const lenient = protectedApp({ secret: SECRET, clockTolerance: 30 })
    expect((await get(lenient, `Bearer ${await accessToken({ exp: now() - 10 })}`)).status).toBe(200)
  })

  it('uses realm "hallpass" by default', async () => {
    expect((await get(protectedApp({ secret: SECRET }))).headers.get('WWW-Authenticate')).toBe('Bearer realm="hallpass"')
  })
})

describe('hallpass({ verifier })', () => {
  it('takes a Hallpass instance, revocations included', async () => {
    const hp = await createHallpass({ secret: SECRET })
    const app = protectedApp({ verifier: hp })
    const { access_token } = await hp.issue({ sub: 'u' })
    expect((await get(app, `Bearer ${access_token}`)).status).toBe(200)
    await hp.revoke(access_token)
    const response = await get(app, `Bearer ${access_token}`)
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ code: 'token_revoked' })
  })

  it('sees revocations made at the hallpass worker through serviceVerifier(TokenService)', async () => {
    const app = protectedApp({ verifier: serviceVerifier(exports.TokenService) })
    const issued = await exports.TokenService.issue({ sub: 'svc' })
    if (issued.type !== 'token_generated') throw new Error('not issued')
    const ok = await get(app, `Bearer ${issued.access_token}`)
    expect(ok.status).toBe(200)
    expect(await ok.json()).toMatchObject({ sub: 'svc' })
    await exports.TokenService.revoke(issued.access_token)
    const refused = await get(app, `Bearer ${issued.access_token}`)
    expect(refused.status).toBe(401)
    expect(refused.headers.get('WWW-Authenticate')).toContain('error_description="Token revoked"')
  })

  it('sees a subject logged out everywhere through serviceVerifier(TokenService), and its next login', async () => {
    const app = protectedApp({ verifier: serviceVerifier(exports.TokenService) })
    const sub = `svc-${crypto.randomUUID()}`
    const issued = await exports.TokenService.issue({ sub })
    if (issued.type !== 'token_generated') throw new Error('not issued')
    expect((await get(app, `Bearer ${issued.access_token}`)).status).toBe(200)
    expect(await exports.TokenService.revokeSubject(sub)).toEqual({ type: 'subject_revoked', sub })
    const refused = await get(app, `Bearer ${issued.access_token}`)
    expect(refused.status).toBe(401)
    expect(refused.headers.get('WWW-Authenticate')).toContain('error_description="Token revoked"')
    const again = await exports.TokenService.issue({ sub })
    if (again.type !== 'token_generated') throw new Error('not issued')
    expect((await get(app, `Bearer ${again.access_token}`)).status).toBe(200)
  })

  it('maps a TokenError to 401 and lets any other failure through to onError', async () => {
    const failing = protectedApp({ verifier: { verify: async () => { throw new TokenError('token_expired') } } })
    expect((await get(failing, 'Bearer a.b.c')).status).toBe(401)
    const broken = protectedApp({ verifier: { verify: async () => { throw new Error('verifier down') } } })
    broken.onError((_error, c) => c.text('unavailable', 503))
    expect((await get(broken, 'Bearer a.b.c')).status).toBe(503)
  })
})

describe('hallpass({ secret, revocations }): revocation-aware with no round trip per request (PROTOCOL v3)', () => {
  /** The worker's TokenService with its revocations() calls counted. */
  function countedService() {
    const calls = { revocations: 0 }
    const service = {
      revocations: (cursor?: unknown) => {
        calls.revocations++
        return exports.TokenService.revocations(cursor)
      },
    }
    return { service, calls }
  }

  it('verifies locally, reads the revocations at most twice per bound, and refuses a logged-out subject once the bound has passed', async () => {
    const time = { now: Date.now() }
    const { service, calls } = countedService()
    const app = protectedApp({ secret: WORKER_SECRET, revocations: service, revocationStaleness: 1000, clock: () => time.now })
    const sub = `aware-${crypto.randomUUID()}`
    const issued = await exports.TokenService.issue({ sub })
    if (issued.type !== 'token_generated') throw new Error('not issued')
    for (let i = 0; i < 50; i++) {
      time.now += 100
      expect((await get(app, `Bearer ${issued.access_token}`)).status).toBe(200)
    }
    // 5 s of requests every 100 ms: the first load, then at most two updates a second.
    expect(calls.revocations).toBeLessThanOrEqual(1 + 2 * 5 + 1)
    expect(await exports.TokenService.revokeSubject(sub)).toEqual({ type: 'subject_revoked', sub })
    time.now += 1001
    const refused = await get(app, `Bearer ${issued.access_token}`)
    expect(refused.status).toBe(401)
    expect(await refused.json()).toMatchObject({ code: 'token_revoked' })
    const again = await exports.TokenService.issue({ sub })
    if (again.type !== 'token_generated') throw new Error('not issued')
    expect((await get(app, `Bearer ${again.access_token}`)).status).toBe(200)
  })

  it('answers 503, never a guess, when the revocations could never be read', async () => {
    const app = protectedApp({ secret: WORKER_SECRET, revocations: { revocations: () => Promise.reject(new Error('binding down')) } })
    const issued = await exports.TokenService.issue({ sub: 'unknown-state' })
    if (issued.type !== 'token_generated') throw new Error('not issued')
    const response = await get(app, `Bearer ${issued.access_token}`)
    expect(response.status).toBe(503)
    expect(await response.json()).toMatchObject({ error: 'temporarily_unavailable' })
  })

  it('checks its options up front', () => {
    expect(() => hallpass({ secret: WORKER_SECRET, revocations: {} as never })).toThrow(/revocations must be a service binding/)
    expect(() => hallpass({ secret: WORKER_SECRET, revocations: exports.TokenService, revocationStaleness: 0 })).toThrow(/serviceVerifier/)
    expect(() => hallpass({ secret: WORKER_SECRET, revocations: exports.TokenService, revocationStaleness: -1 })).toThrow(ConfigError)
  })
})

