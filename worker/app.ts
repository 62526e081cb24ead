// The edge worker's HTTP surface: the PROTOCOL over `POST /v1/messages`, the OAuth 2.0 refresh and
// revocation endpoints, a health check, and the token inspector page at GET / (static assets).
// Every route runs the same core as the stdin node.
import { Hono, type Context } from 'hono'
import { INSPECTOR_HEADERS } from '../inspector/headers.ts'
import { ERROR_CODES, errorBody, type JsonObject } from '../src/internal.ts'
import { MAX_BODY_BYTES, readBody } from './body.ts'
import type { AppEnv } from './env.ts'
import { instanceFor, instanceOr500, isIssuer, logConfigError, logInternalError } from './instance.ts'
import { oauth } from './oauth.ts'

const NO_STORE = { 'Cache-Control': 'no-store' } as const

/** Messages that need the issuer credential over HTTP: minting tokens, logging a subject out. */
const ISSUER_ONLY = new Set(['generate_access_token', 'revoke_subject'])

/** The error reply of a request that never reached the handler. */
function refuse(c: Context<AppEnv>, status: 400 | 401 | 413 | 500, text: string, code: number = ERROR_CODES.malformedRequest): Response {
  return c.json(errorBody(code, text), status, NO_STORE)
}

export const app = new Hono<AppEnv>()

// Every response is JSON or a static page of a declared type: browsers must never sniff one into
// something else (the inspector's pages get the same header with the rest of their policy).
app.use('*', async function noSniff(c, next) {
  await next()
  c.res.headers.set('X-Content-Type-Options', 'nosniff')
})

app.post('/v1/messages', async (c) => {
  const instance = await instanceOr500(c, () => refuse(c, 500, 'hallpass is misconfigured: see the worker logs', ERROR_CODES.internal))
  if (instance instanceof Response) return instance
  const body = await readBody(c.req.raw, MAX_BODY_BYTES)
  if (!body.ok) {
    return body.reason === 'too_large'
      ? refuse(c, 413, `Request body too large: the limit is ${MAX_BODY_BYTES} bytes`)
      : refuse(c, 400, 'Request body is not valid UTF-8')
  }
  let message: unknown
  try {
    message = JSON.parse(body.text)
  } catch {
    return refuse(c, 400, 'Request body is not valid JSON')
  }
  const issuer = await isIssuer(instance, c.req.header('Authorization'))
  let unauthorized = false
  const handler = instance.hp.handler({
    authorize: (type) => {
      if (!ISSUER_ONLY.has(type) || issuer) return true
      unauthorized = true
      return false
    },
    onInternalError: logInternalError,
  })
  const response = await handler.respond(message)
  if (response === null) return refuse(c, 400, 'A message must be a JSON object')
  const json = { ...NO_STORE, 'Content-Type': 'application/json' }
  if (unauthorized) return c.body(response.text, 401, { ...json, 'WWW-Authenticate': 'Bearer realm="hallpass"' })
  return c.body(response.text, statusOf(response.reply), json)
})

/** 500 for a bug (13), 503 while the state is unreachable (11), 200 for every other reply. */
function statusOf(reply: JsonObject): 200 | 500 | 503 {
  const body = typeof reply.body === 'object' && reply.body !== null ? (reply.body as JsonObject) : reply
  if (body.type !== 'error') return 200
  if (body.code === ERROR_CODES.internal) return 500
  return body.code === ERROR_CODES.unavailable ? 503 : 200
}

app.route('/oauth', oauth)

/**
 * How long verifiers may cache the key set. Rotation (PROTOCOL: add the next key, let caches pick
 * it up, then sign with it) waits at least this long between its steps.
 */
export const JWKS_MAX_AGE = 300

app.get('/.well-known/jwks.json', async (c) => {
  const instance = await instanceOr500(c, () => c.json({ error: 'misconfigured' }, 503, NO_STORE))
  if (instance instanceof Response) return instance
  const headers = { 'Cache-Control': `public, max-age=${JWKS_MAX_AGE}`, ETag: instance.jwks.etag, 'Content-Type': 'application/jwk-set+json' }
  const conditional = c.req.header('If-None-Match')
  if (conditional !== undefined && conditional.split(',').some((tag) => tag.trim().replace(/^W\//, '') === instance.jwks.etag)) return c.body(null, 304, headers)
  return c.body(instance.jwks.body, 200, headers)
})

app.get('/health', async (c) => {
  try {
    await instanceFor(c.env)
  } catch (error) {
    logConfigError(error)
    return c.json({ status: 'misconfigured' }, 503, NO_STORE)
  }
  return c.json({ status: 'ok' }, 200, NO_STORE)
})

for (const path of ['/v1/messages', '/oauth/token', '/oauth/revoke']) {
  app.all(path, (c) => c.json({ error: 'method_not_allowed' }, 405, { Allow: 'POST' }))
}

// The token inspector (wrangler.toml [assets]): GET/HEAD of any path no route above took is looked
// up in the static assets, served with the page's security headers; anything else stays a 404.
app.on(['GET', 'HEAD'], '*', async (c) => {
  const assets = (c.env as { ASSETS?: Fetcher }).ASSETS
  if (!assets) return c.notFound()
  const found = await assets.fetch(c.req.raw)
  if (found.status === 404) return c.notFound()
  const response = new Response(found.body, found)
  for (const [name, value] of Object.entries(INSPECTOR_HEADERS)) response.headers.set(name, value)
  return response
})

app.notFound((c) => c.json({ error: 'not_found' }, 404))

app.onError((error, c) => {
  logInternalError(error)
  return c.json({ error: 'internal_error' }, 500, NO_STORE)
})
