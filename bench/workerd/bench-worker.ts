// The workerd micro-benchmark worker: `GET /run?case=<id>&n=<N>` runs one case N times, one
// operation after another, on distinct tokens, and answers when done. workerd's clocks stand still
// during pure compute (Spectre mitigation), so the time is taken outside, by bench/workerd.ts:
// requests with n=N against n=0. `GET /cases` lists the cases after checking that every verifier
// accepts the tokens (a verifier that rejects them would be measuring its error path).
import { sign as honoSign, verify as honoVerify } from 'hono/jwt'
import * as jose from 'jose'
import tsndr from '@tsndr/cloudflare-worker-jwt'
import { createHallpass, type Hallpass } from '../../src/index.ts'

interface Env {
  /** The HS256 secret of the benchmark tokens (bench/tokens.ts SECRET), given by bench/workerd.ts. */
  BENCH_SECRET: string
}

/** Distinct tokens made once per isolate; a power of two. */
const DISTINCT = 4096
/** The most operations one request may run. */
const MAX_N = 200_000

const encoder = new TextEncoder()

function base64url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'))
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

type Case = { group: string; name: string; run: (i: number) => Promise<unknown> }

interface Setup {
  cases: Map<string, Case>
}

/** The same claims as bench/tokens.ts makeTokens, signed here with crypto.subtle. */
async function makeTokens(key: CryptoKey, count: number): Promise<string[]> {
  const iat = Math.floor(Date.now() / 1000)
  const header = base64url(encoder.encode(JSON.stringify({ alg: 'HS256', typ: 'JWT' })))
  const tokens: string[] = []
  for (let i = 0; i < count; i++) {
    const claims = { sub: `user${i}`, email: `user${i}@example.com`, roles: ['user'], iat, exp: iat + 3600, jti: `jti-${i}` }
    const input = `${header}.${base64url(encoder.encode(JSON.stringify(claims)))}`
    const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(input)))
    tokens.push(`${input}.${base64url(signature)}`)
  }
  return tokens
}

async function setup(secret: string): Promise<Setup> {
  if (typeof secret !== 'string' || encoder.encode(secret).length < 32) throw new Error('BENCH_SECRET must be set (32+ bytes)')
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])
  const tokens = await makeTokens(key, DISTINCT)
  const one = tokens[0]!
  const inputs = tokens.map((t) => encoder.encode(t.slice(0, t.lastIndexOf('.'))))
  const signatures = tokens.map((t) => fromBase64url(t.slice(t.lastIndexOf('.') + 1)))
  const hp: Hallpass = await createHallpass({ secret })
  const hpCached: Hallpass = await createHallpass({ secret, verifyCache: 1000 })
  const claims = { sub: 'user1', email: 'user1@example.com', roles: ['user'] }
  const now = () => Math.floor(Date.now() / 1000)
  const token = (i: number) => tokens[i & (DISTINCT - 1)]!

  const list: Array<[id: string, group: string, name: string, run: (i: number) => Promise<unknown>]> = [
    ['verify-hallpass', 'verify', 'hallpass (crypto.subtle)', (i) => hp.verify(token(i))],
    ['verify-jose', 'verify', 'jose (CryptoKey)', (i) => jose.jwtVerify(token(i), key, { algorithms: ['HS256'] })],
    ['verify-hono', 'verify', 'hono/jwt', (i) => honoVerify(token(i), secret, 'HS256')],
    ['verify-tsndr', 'verify', '@tsndr/cloudflare-worker-jwt', (i) => tsndr.verify(token(i), secret, { algorithm: 'HS256', throwError: true })],
    // Not a peer: the least a JWT verify does (split, base64url, crypto.subtle.verify, JSON.parse),
    // with no header or claim checks at all.
    ['verify-floor', 'verify', 'limit + decode + JSON.parse (no checks)', async (i) => {
      const t = token(i)
      const first = t.indexOf('.')
      const last = t.lastIndexOf('.')
      const ok = await crypto.subtle.verify('HMAC', key, fromBase64url(t.slice(last + 1)), encoder.encode(t.slice(0, last)))
      return ok ? JSON.parse(atob(t.slice(first + 1, last).replaceAll('-', '+').replaceAll('_', '/'))) : false
    }],
    ['verify-limit', 'verify', 'limit: crypto.subtle.verify', (i) => crypto.subtle.verify('HMAC', key, signatures[i & (DISTINCT - 1)]!, inputs[i & (DISTINCT - 1)]!)],
    ['verify-hallpass-cached', 'verify (cached)', 'hallpass (crypto.subtle, cache, one token)', () => hpCached.verify(one)],
    ['sign-hallpass', 'sign', 'hallpass issue (crypto.subtle; access + refresh)', () => hp.issue(claims)],
    ['sign-jose', 'sign', 'jose (CryptoKey)', () => new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('15m').sign(key)],
    ['sign-hono', 'sign', 'hono/jwt', () => honoSign({ ...claims, exp: now() + 900 }, secret, 'HS256')],
    ['sign-tsndr', 'sign', '@tsndr/cloudflare-worker-jwt', () => tsndr.sign({ ...claims, exp: now() + 900 }, secret, { algorithm: 'HS256' })],
    ['sign-limit', 'sign', 'limit: crypto.subtle.sign', (i) => crypto.subtle.sign('HMAC', key, inputs[i & (DISTINCT - 1)]!)],
  ]
  const cases = new Map<string, Case>()
  for (const [id, group, name, run] of list) {
    // Every verifier must accept the tokens, or its number means nothing.
    if (group.startsWith('verify')) {
      for (const i of [0, 1, DISTINCT - 1]) {
        const result = await run(i)
        if (result === false || result === undefined || result === null) throw new Error(`${name} did not verify the benchmark token`)
      }
    }
    cases.set(id, { group, name, run })
  }
  return { cases }
}

let ready: Promise<Setup> | undefined

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url)
    try {
      if (ready === undefined) {
        ready = setup(env.BENCH_SECRET)
        ready.catch(() => (ready = undefined))
      }
      const { cases } = await ready
      if (url.pathname === '/cases') {
        return Response.json([...cases].map(([id, { group, name }]) => ({ id, group, name })))
      }
      if (url.pathname === '/run') {
        const id = url.searchParams.get('case') ?? ''
        const n = Number(url.searchParams.get('n') ?? '0')
        const chosen = cases.get(id)
        if (chosen === undefined) return Response.json({ error: `no case ${id}` }, { status: 404 })
        if (!Number.isSafeInteger(n) || n < 0 || n > MAX_N) return Response.json({ error: `n must be 0..${MAX_N}` }, { status: 400 })
        // Start at a different token each request, so that no run repeats the last one's order.
        const start = (Math.random() * DISTINCT) | 0
        for (let i = 0; i < n; i++) await chosen.run(start + i)
        return Response.json({ id, n })
      }
      return Response.json({ error: 'not_found' }, { status: 404 })
    } catch (error) {
      return Response.json({ error: error instanceof Error ? error.message : String(error) }, { status: 500 })
    }
  },
} satisfies ExportedHandler<Env>
