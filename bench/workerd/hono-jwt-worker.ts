// The peer of examples/protected-api for bench/http.ts: the same `GET /api/me`, behind hono/jwt's
// own middleware instead of hallpass/hono. Built once per isolate, like the example.
import { env } from 'cloudflare:workers'
import { Hono } from 'hono'
import { jwt, type JwtVariables } from 'hono/jwt'

interface Env {
  /** The HS256 secret of the tokens. */
  JWT_SECRET?: string
}

const auth = jwt({ secret: (env as Env).JWT_SECRET ?? '', alg: 'HS256' })

const app = new Hono<{ Bindings: Env; Variables: JwtVariables }>()

app.get('/health', (c) => c.json({ status: 'ok' }))

app.use('/api/*', auth)

app.get('/api/me', (c) => {
  const claims = c.get('jwtPayload') as Record<string, unknown>
  return c.json({ sub: claims.sub, email: claims.email ?? null, roles: claims.roles ?? [] })
})

export default app
