// The example Worker inside workerd, with HALLPASS_SECRET bound: tokens minted by the hallpass core
// with the same secret open /api; anything else gets an RFC 6750 challenge.
import { env, exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createHallpass } from '../../../src/internal.ts'

const issuer = createHallpass({ secret: (env as { HALLPASS_SECRET: string }).HALLPASS_SECRET })
const api = (path: string, token?: string) =>
  (exports as unknown as { default: Fetcher }).default.fetch(`https://api.test${path}`, token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } })

describe('examples/protected-api', () => {
  it('serves /health without a token', async () => {
    expect((await api('/health')).status).toBe(200)
  })

  it('answers /api/me with the claims of a valid token', async () => {
    const { access_token } = await (await issuer).issue({ sub: 'ada', email: 'ada@example.com', roles: ['user'] })
    const response = await api('/api/me', access_token)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ sub: 'ada', email: 'ada@example.com', roles: ['user'] })
  })

  it('challenges a request without a token, per RFC 6750 §3.1', async () => {
    const response = await api('/api/me')
    expect(response.status).toBe(401)
    expect(response.headers.get('WWW-Authenticate')).toBe('Bearer realm="protected-api"')
  })

  it('refuses a token signed with another secret', async () => {
    const other = await createHallpass({ secret: 'another-secret-another-secret-another-secret' })
    const response = await api('/api/me', (await other.issue({ sub: 'mallory' })).access_token)
    expect(response.status).toBe(401)
    expect(response.headers.get('WWW-Authenticate')).toBe('Bearer realm="protected-api", error="invalid_token", error_description="Invalid signature"')
  })

  it('refuses a refresh token presented as an access token', async () => {
    const { refresh_token } = await (await issuer).issue({ sub: 'ada' })
    const response = await api('/api/me', refresh_token)
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ error: 'invalid_token', code: 'wrong_token_type' })
  })

  it('lets handlers authorize on claims: 403 without the admin role, 200 with it', async () => {
    const user = (await (await issuer).issue({ sub: 'ada', roles: ['user'] })).access_token
    const admin = (await (await issuer).issue({ sub: 'root', roles: ['admin'] })).access_token
    expect((await api('/api/admin/report', user)).status).toBe(403)
    expect(await (await api('/api/admin/report', admin)).json()).toEqual({ report: 'all systems nominal' })
  })
})
