// A protected API on Workers: every /api route needs a hallpass access token
// (`Authorization: Bearer <access_token>`); the handlers read its claims from the context.
import { env } from 'cloudflare:workers'
import { Hono } from 'hono'
// In your own project: import { hallpass, serviceVerifier, type HallpassEnv } from 'hallpass/hono'
import { hallpass, type HallpassEnv, type RevocationSource } from '../../../src/hono.ts'

export interface Env {
  /** The hallpass worker's HALLPASS_SECRET (a secret). */
  HALLPASS_SECRET?: string
  API_REALM?: string
  /** Optional: a service binding to the hallpass worker's TokenService, for revocation-aware checks. */
  HALLPASS?: RevocationSource
}

const bindings = env as Env
const realm = bindings.API_REALM ?? 'protected-api'

// Built once per isolate, options checked at startup. Verification is local (no round trip). With
// the service binding the middleware also keeps a view of the revocations made through the
// hallpass worker, brought up to date in the background twice a second at most: a logged-out user
// is refused within HALLPASS_REVOCATION_STALENESS (1 s). With the secret alone a revoked token passes
// until its exp. (`verifier: serviceVerifier(env.HALLPASS)` asks the worker on every request instead.)
const auth = hallpass({ secret: bindings.HALLPASS_SECRET ?? '', realm, ...(bindings.HALLPASS === undefined ? {} : { revocations: bindings.HALLPASS }) })

const app = new Hono<HallpassEnv & { Bindings: Env }>()

app.get('/health', (c) => c.json({ status: 'ok' }))

app.use('/api/*', auth)

app.get('/api/me', (c) => {
  const claims = c.get('jwtPayload')
  return c.json({ sub: claims.sub, email: claims.email ?? null, roles: claims.roles ?? [] })
})

app.get('/api/admin/report', (c) => {
  const roles = c.get('jwtPayload').roles
  if (!Array.isArray(roles) || !roles.includes('admin')) {
    return c.json({ error: 'insufficient_scope', error_description: 'Needs the admin role' }, 403, {
      'WWW-Authenticate': `Bearer realm="${realm}", error="insufficient_scope"`,
    })
  }
  return c.json({ report: 'all systems nominal' })
})

export default app
