// generate_access_token written by hand on node:crypto, doing what hallpass's generate does: an
// HS256 access token and an HS256 refresh token (under a second key), each with a random jti, a
// refresh family recorded in a Map, the reply with both. No checks of the caller's claims, no
// store abstraction: the floor a hand-written node reaches for the same work.
import { createHmac, randomBytes } from 'node:crypto'
import { serveEnvelopes } from './lines.ts'

const accessKey = process.env.HALLPASS_SECRET!
const refreshKey = `${accessKey}-refresh`
const ACCESS = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')
const REFRESH = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'hallpass-refresh+jwt' })).toString('base64url')
const families = new Map<string, { claims: unknown; generation: number; jti: string; exp: number }>()

function token(header: string, claims: object, key: string): string {
  const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`
}

function generate(body: Record<string, any>): Record<string, unknown> {
  const iat = Math.floor(Date.now() / 1000)
  const family = randomBytes(16).toString('base64url')
  const jti = randomBytes(16).toString('base64url')
  const claims = body.payload
  families.set(family, { claims, generation: 0, jti, exp: iat + 604800 })
  return {
    type: 'token_generated',
    in_reply_to: body.msg_id,
    access_token: token(ACCESS, { ...claims, iat, exp: iat + 900, jti: randomBytes(16).toString('base64url') }, accessKey),
    token_type: 'Bearer',
    expires_in: 900,
    refresh_token: token(REFRESH, { sub: claims.sub, fam: family, gen: 0, iat, exp: iat + 604800, jti }, refreshKey),
    refresh_expires_in: 604800,
  }
}

serveEnvelopes((body) => (body.type === 'init' ? { type: 'init_ok', in_reply_to: body.msg_id } : generate(body)))
