// A protected API on Workers: every /api route needs a hallpass access token
// (`Authorization: Bearer <access_token>`); the handlers read its claims from the context.
import { env } from 'cloudflare:workers'
import { Hono } from 'hono'
// In your own project: import { hallpass, serviceVerifier, type HallpassEnv } from 'hallpass/hono'
import { hallpass, serviceVerifier, type HallpassEnv, type ServiceVerifyReply } from '../../../src/hono.ts'

export interface Env {
  /** The hallpass worker's HALLPASS_SECRET (a secret). */
  HALLPASS_SECRET?: string
  API_REALM?: string
  /** Optional: a service binding to the hallpass worker's TokenService, for revocation-aware checks. */
  HALLPASS?: { verify(token: string): Promise<ServiceVerifyReply> }
}

const bindings = env as Env
const realm = bindings.API_REALM ?? 'protected-api'

// Built once per isolate, options checked at startup. With the service binding every request
// sees revocations made through the hallpass worker; with the secret alone verification is local
// (no round trip) and a revoked token passes until its exp.
const auth = bindings.HALLPASS
  ? hallpass({ verifier: serviceVerifier(bindings.HALLPASS), realm })
  : hallpass({ secret: bindings.HALLPASS_SECRET ?? '', realm })

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
