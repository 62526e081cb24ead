// OAuth 2.0 over the core: the refresh grant (RFC 6749 §6, answers per §5.1 and §5.2) and token
// revocation (RFC 7009). Parameters come form-encoded, as the RFCs say; a JSON object is accepted too.
import { Hono, type Context } from 'hono'
import { StoreUnavailableError, TokenError } from '../src/internal.ts'
import type { AppEnv } from './env.ts'
import { instanceOr500, logInternalError } from './instance.ts'
import { readBody } from './body.ts'

/** Tokens are at most 16 KiB: a parameter body far beyond that is not a real client. */
const MAX_OAUTH_BODY_BYTES = 64 * 1024

/** RFC 6749 §5.1: token responses must not be cached. */
const TOKEN_HEADERS = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const

type OAuthError = 'invalid_request' | 'invalid_grant' | 'unsupported_grant_type' | 'server_error' | 'temporarily_unavailable'

function oauthError(c: Context<AppEnv>, status: 400 | 413 | 500 | 503, error: OAuthError, description: string): Response {
  return c.json({ error, error_description: description }, status, TOKEN_HEADERS)
}

type Params = { ok: true; params: Map<string, string> } | { ok: false; response: Response }

/** The request's parameters; RFC 6749 §3.2 and §5.2: each at most once. */
async function parameters(c: Context<AppEnv>): Promise<Params> {
  const fail = (status: 400 | 413, description: string): Params => ({ ok: false, response: oauthError(c, status, 'invalid_request', description) })
  const type = (c.req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/x-www-form-urlencoded' && type !== 'application/json') {
    return fail(400, 'Content-Type must be application/x-www-form-urlencoded or application/json')
  }
  const body = await readBody(c.req.raw, MAX_OAUTH_BODY_BYTES)
  if (!body.ok) return body.reason === 'too_large' ? fail(413, 'Request body too large') : fail(400, 'Request body is not valid UTF-8')
  const params = new Map<string, string>()
  if (type === 'application/json') {
    let value: unknown
    try {
      value = JSON.parse(body.text)
    } catch {
      return fail(400, 'Request body is not valid JSON')
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(400, 'Request body must be a JSON object')
    const repeated = repeatedMember(body.text)
    if (repeated !== undefined) return fail(400, `Parameter ${repeated} is repeated`)
    for (const [name, field] of Object.entries(value)) {
      if (typeof field !== 'string') return fail(400, `Parameter ${name} must be a string`)
      params.set(name, field)
    }
  } else {
    for (const [name, field] of new URLSearchParams(body.text)) {
      if (params.has(name)) return fail(400, `Parameter ${name} is repeated`)
      params.set(name, field)
    }
  }
  return { ok: true, params }
}

const JSON_SPACE = new Set([' ', '\t', '\n', '\r'])

/**
 * The first name that appears twice among the top-level members of a JSON object text, where
 * JSON.parse would silently keep the last one. Names are compared decoded (`"\u0061"` is `"a"`).
 * Only for text JSON.parse has accepted, so strings and brackets are known to be well formed.
 */
export function repeatedMember(text: string): string | undefined {
  const seen = new Set<string>()
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '"') {
      const start = i
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++
      if (depth !== 1) continue
      let next = i + 1
      while (JSON_SPACE.has(text[next]!)) next++
      if (text[next] !== ':') continue
      const name = JSON.parse(text.slice(start, i + 1)) as string
      if (seen.has(name)) return name
      seen.add(name)
    } else if (c === '{' || c === '[') {
      depth++
    } else if (c === '}' || c === ']') {
      depth--
    }
  }
  return undefined
}

export const oauth = new Hono<AppEnv>()

oauth.post('/token', async (c) => {
  const parsed = await parameters(c)
  if (!parsed.ok) return parsed.response
  const grantType = parsed.params.get('grant_type')
  if (!grantType) return oauthError(c, 400, 'invalid_request', 'grant_type is required')
  if (grantType !== 'refresh_token') return oauthError(c, 400, 'unsupported_grant_type', 'Only grant_type=refresh_token is supported')
  const refreshToken = parsed.params.get('refresh_token')
  if (!refreshToken) return oauthError(c, 400, 'invalid_request', 'refresh_token is required')
  const instance = await instanceOr500(c, () => oauthError(c, 500, 'server_error', 'hallpass is misconfigured: see the worker logs'))
  if (instance instanceof Response) return instance
  try {
    return c.json(await instance.hp.refresh(refreshToken), 200, TOKEN_HEADERS)
  } catch (error) {
    // Bad, expired, spent, reused or revoked: all invalid_grant; the text names which, never the token.
    if (error instanceof TokenError) return oauthError(c, 400, 'invalid_grant', error.message)
    // The family's object could not be reached: nothing was spent, the client may retry.
    if (error instanceof StoreUnavailableError) return oauthError(c, 503, 'temporarily_unavailable', error.message)
    logInternalError(error)
    return oauthError(c, 500, 'server_error', 'Internal error')
  }
})

oauth.post('/revoke', async (c) => {
  const parsed = await parameters(c)
  if (!parsed.ok) return parsed.response
  const token = parsed.params.get('token')
  if (!token) return oauthError(c, 400, 'invalid_request', 'token is required')
  // token_type_hint is optional and may be ignored (RFC 7009 §2.1): the token's header says its kind.
  const instance = await instanceOr500(c, () => oauthError(c, 503, 'temporarily_unavailable', 'hallpass is misconfigured: see the worker logs'))
  if (instance instanceof Response) return instance
  try {
    await instance.hp.revoke(token)
  } catch (error) {
    // RFC 7009 §2.2: an invalid or unknown token is answered 200 all the same.
    if (!(error instanceof TokenError)) {
      // The store logged its own failure; anything else is a bug.
      if (!(error instanceof StoreUnavailableError)) logInternalError(error)
      return oauthError(c, 503, 'temporarily_unavailable', 'Revocation failed; try again')
    }
  }
  return c.body(null, 200, TOKEN_HEADERS)
})
