// The workerd micro-benchmark worker: `GET /run?case=<id>&n=<N>` runs one case N times, one
// operation after another, on distinct tokens, and answers when done. workerd's clocks stand still
// during pure compute (Spectre mitigation), so the time is taken outside, by bench/workerd.ts:
// requests with n=N against n=0. `GET /cases` lists the cases after checking that every verifier
// accepts the tokens (a verifier that rejects them would be measuring its error path). HS256 under
// BENCH_SECRET; ES256, EdDSA and RS256 under keys made here by hallpass's generateJwk.
import { sign as honoSign, verify as honoVerify } from 'hono/jwt'
import * as jose from 'jose'
import tsndr from '@tsndr/cloudflare-worker-jwt'
import { createHallpass, type Hallpass } from '../../src/internal.ts'
import { generateJwk } from '../../src/keys/generate.ts'
import { decode } from '../../src/lib/base64url.ts'

interface Env {
  /** The HS256 secret of the benchmark tokens (bench/tokens.ts SECRET), given by bench/workerd.ts. */
  BENCH_SECRET: string
  /** Distinct tokens per algorithm, a power of two (4096 when absent); given by bench/workerd.ts. */
  BENCH_DISTINCT?: string
}

/** The asymmetric algorithms measured beside HS256 (bench/tokens.ts ASYMMETRIC). */
const ASYMMETRIC = ['ES256', 'EdDSA', 'RS256'] as const
type AsymmetricAlg = (typeof ASYMMETRIC)[number]
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

type Case = { alg: string; group: string; name: string; run: (i: number) => Promise<unknown> }
type CaseList = Array<[id: string, group: string, name: string, run: (i: number) => Promise<unknown>]>

interface Setup {
  cases: Map<string, Case>
}

/** The issuer of the trusted-issuer rows' tokens (HALLPASS_TRUSTED_ISSUERS, its JWKS served by `fetch` below). */
const TRUSTED_ISSUER = 'https://idp.bench.example/'

/** The same claims as bench/tokens.ts makeTokens (and `extra`), signed here with crypto.subtle under `header`. */
async function makeTokens(header: Record<string, string>, sign: (input: Uint8Array<ArrayBuffer>) => Promise<ArrayBuffer>, count: number, extra: Record<string, string> = {}): Promise<string[]> {
  const iat = Math.floor(Date.now() / 1000)
  const encodedHeader = base64url(encoder.encode(JSON.stringify(header)))
  const tokens: string[] = []
  for (let i = 0; i < count; i++) {
    const claims = { ...extra, sub: `user${i}`, email: `user${i}@example.com`, roles: ['user'], iat, exp: iat + 3600, jti: `jti-${i}` }
    const input = `${encodedHeader}.${base64url(encoder.encode(JSON.stringify(claims)))}`
    tokens.push(`${input}.${base64url(new Uint8Array(await sign(encoder.encode(input))))}`)
  }
  return tokens
}

const claims = { sub: 'user1', email: 'user1@example.com', roles: ['user'] }
const now = () => Math.floor(Date.now() / 1000)

type SubtleVerify = (signature: Uint8Array<ArrayBuffer>, input: Uint8Array<ArrayBuffer>) => Promise<boolean>

/**
 * Not a peer: the least a JWT verify does (split, base64url, crypto.subtle.verify, JSON.parse), with
 * no header or claim checks at all, on the cheapest primitives measured here: the payload by
 * `atob`, the signature by the core's table decoder, the result by one `.then`. Written as an
 * async function with the signature decoded by `atob` and a byte loop, the same steps took
 * 1.2 µs more (6.4 against 5.2 µs, HS256), and this floor used to stand above hallpass.
 */
function floorVerify(verify: SubtleVerify, t: string): Promise<unknown> {
  const first = t.indexOf('.')
  const last = t.lastIndexOf('.')
  const payload: unknown = JSON.parse(atob(t.slice(first + 1, last).replaceAll('-', '+').replaceAll('_', '/')))
  return verify(decode(t.slice(last + 1)), encoder.encode(t.slice(0, last))).then((ok) => (ok ? payload : false))
}

function floor(token: (i: number) => string, verify: SubtleVerify) {
  return (i: number) => floorVerify(verify, token(i))
}

async function hs256Cases(secret: string, distinct: number): Promise<CaseList> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])
  const tokens = await makeTokens({ alg: 'HS256', typ: 'JWT' }, (input) => crypto.subtle.sign('HMAC', key, input), distinct)
  const one = tokens[0]!
  const inputs = tokens.map((t) => encoder.encode(t.slice(0, t.lastIndexOf('.'))))
  const signatures = tokens.map((t) => fromBase64url(t.slice(t.lastIndexOf('.') + 1)))
  const hp: Hallpass = await createHallpass({ secret })
  const hpCached: Hallpass = await createHallpass({ secret, verifyCache: 1000 })
  const mask = distinct - 1
  const token = (i: number) => tokens[i & mask]!
  return [
    // A goal's cases next to each other: bench/workerd.ts pairs them round by round.
    ['verify-hono', 'verify', 'hono/jwt', (i) => honoVerify(token(i), secret, 'HS256')],
    ['verify-hallpass', 'verify', 'hallpass (crypto.subtle)', (i) => hp.verify(token(i))],
    ['verify-jose', 'verify', 'jose (CryptoKey)', (i) => jose.jwtVerify(token(i), key, { algorithms: ['HS256'] })],
    ['verify-limit', 'verify', 'limit: crypto.subtle.verify', (i) => crypto.subtle.verify('HMAC', key, signatures[i & mask]!, inputs[i & mask]!)],
    ['verify-floor', 'verify', 'limit + decode + JSON.parse (no checks)', floor(token, (signature, input) => crypto.subtle.verify('HMAC', key, signature, input))],
    ['verify-tsndr', 'verify', '@tsndr/cloudflare-worker-jwt', (i) => tsndr.verify(token(i), secret, { algorithm: 'HS256', throwError: true })],
    ['verify-hallpass-cached', 'verify (cached)', 'hallpass (crypto.subtle, cache, one token)', () => hpCached.verify(one)],
    ['sign-hallpass', 'sign', 'hallpass issue (crypto.subtle; access + refresh)', () => hp.issue(claims)],
    ['sign-jose', 'sign', 'jose (CryptoKey)', () => new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('15m').sign(key)],
    ['sign-hono', 'sign', 'hono/jwt', () => honoSign({ ...claims, exp: now() + 900 }, secret, 'HS256')],
    ['sign-tsndr', 'sign', '@tsndr/cloudflare-worker-jwt', () => tsndr.sign({ ...claims, exp: now() + 900 }, secret, { algorithm: 'HS256' })],
    ['sign-limit', 'sign', 'limit: crypto.subtle.sign', (i) => crypto.subtle.sign('HMAC', key, inputs[i & mask]!)],
  ]
}

/** WebCrypto's import and sign/verify parameters for one asymmetric JWS algorithm. */
function subtleParams(alg: AsymmetricAlg): { importParams: Parameters<SubtleCrypto['importKey']>[2]; signParams: Parameters<SubtleCrypto['sign']>[0] } {
  if (alg === 'ES256') return { importParams: { name: 'ECDSA', namedCurve: 'P-256' }, signParams: { name: 'ECDSA', hash: 'SHA-256' } }
  if (alg === 'RS256') return { importParams: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, signParams: 'RSASSA-PKCS1-v1_5' }
  return { importParams: { name: 'Ed25519' }, signParams: 'Ed25519' }
}

/**
 * One asymmetric algorithm: a key from hallpass's generateJwk, tokens signed with crypto.subtle;
 * hallpass gets the key as a JWK Set (`keys`), jose and hono/jwt a CryptoKey imported once.
 */
async function asymmetricCases(alg: AsymmetricAlg, secret: string, distinct: number): Promise<CaseList> {
  const jwk = await generateJwk(alg)
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk
  const { importParams, signParams } = subtleParams(alg)
  const privateKey = await crypto.subtle.importKey('jwk', jwk, importParams, false, ['sign'])
  const publicKey = await crypto.subtle.importKey('jwk', publicJwk, importParams, false, ['verify'])
  const tokens = await makeTokens({ alg, typ: 'JWT', kid: jwk.kid }, (input) => crypto.subtle.sign(signParams, privateKey, input), distinct)
  const inputs = tokens.map((t) => encoder.encode(t.slice(0, t.lastIndexOf('.'))))
  const signatures = tokens.map((t) => fromBase64url(t.slice(t.lastIndexOf('.') + 1)))
  // Refresh tokens are HS256 under a key of their own; only `issue` uses it.
  const hp: Hallpass = await createHallpass({ keys: { keys: [jwk] }, refreshSecret: secret })
  // The same key published by a trusted issuer: its JWK Set "fetched" once, then held in memory
  // (the steady state the goal is about: no network, no Cache API).
  const trustedTokens = await makeTokens({ alg, typ: 'JWT', kid: jwk.kid }, (input) => crypto.subtle.sign(signParams, privateKey, input), distinct, { iss: TRUSTED_ISSUER })
  const jwksBody = JSON.stringify({ keys: [{ ...publicJwk, use: 'sig' }] })
  const trusted: Hallpass = await createHallpass({
    secret,
    trustedIssuers: [{ issuer: TRUSTED_ISSUER, jwks_uri: `${TRUSTED_ISSUER}jwks`, algorithms: [alg] }],
    fetch: async () => new Response(jwksBody, { headers: { 'Content-Type': 'application/json', 'Cache-Control': 'max-age=86400' } }),
  })
  const josePublic = await jose.importJWK(publicJwk, alg)
  const josePrivate = await jose.importJWK(jwk, alg)
  const mask = distinct - 1
  const token = (i: number) => tokens[i & mask]!
  const id = alg.toLowerCase()
  return [
    // A goal's cases next to each other: bench/workerd.ts pairs them round by round.
    [`verify-${id}-jose`, 'verify', 'jose (CryptoKey)', (i) => jose.jwtVerify(token(i), josePublic, { algorithms: [alg] })],
    [`verify-${id}-hallpass`, 'verify', 'hallpass (crypto.subtle)', (i) => hp.verify(token(i))],
    [`verify-${id}-trusted`, 'verify', 'hallpass, trusted issuer, steady state (crypto.subtle)', (i) => trusted.verify(trustedTokens[i & mask]!)],
    [`verify-${id}-hono`, 'verify', 'hono/jwt (CryptoKey)', (i) => honoVerify(token(i), publicKey, alg)],
    [`verify-${id}-floor`, 'verify', 'limit + decode + JSON.parse (no checks)', floor(token, (signature, input) => crypto.subtle.verify(signParams, publicKey, signature, input))],
    [`verify-${id}-limit`, 'verify', 'limit: crypto.subtle.verify', (i) => crypto.subtle.verify(signParams, publicKey, signatures[i & mask]!, inputs[i & mask]!)],
    [`sign-${id}-hallpass`, 'sign', 'hallpass issue (crypto.subtle; access + HS256 refresh)', () => hp.issue(claims)],
    [`sign-${id}-jose`, 'sign', 'jose (CryptoKey)', () => new jose.SignJWT(claims).setProtectedHeader({ alg, kid: jwk.kid }).setIssuedAt().setExpirationTime('15m').sign(josePrivate)],
    [`sign-${id}-hono`, 'sign', 'hono/jwt (CryptoKey)', () => honoSign({ ...claims, exp: now() + 900 }, privateKey, alg)],
    [`sign-${id}-limit`, 'sign', 'limit: crypto.subtle.sign', (i) => crypto.subtle.sign(signParams, privateKey, inputs[i & mask]!)],
  ]
}

async function setup(env: Env): Promise<Setup> {
  const secret = env.BENCH_SECRET
  if (typeof secret !== 'string' || encoder.encode(secret).length < 32) throw new Error('BENCH_SECRET must be set (32+ bytes)')
  const distinct = Number(env.BENCH_DISTINCT ?? 4096)
  if (!Number.isSafeInteger(distinct) || distinct < 1 || (distinct & (distinct - 1)) !== 0) throw new Error('BENCH_DISTINCT must be a power of two')
  const suites: Array<[alg: string, list: CaseList]> = [['HS256', await hs256Cases(secret, distinct)]]
  for (const alg of ASYMMETRIC) suites.push([alg, await asymmetricCases(alg, secret, distinct)])
  const cases = new Map<string, Case>()
  for (const [alg, list] of suites) {
    for (const [id, group, name, run] of list) {
      // Every verifier must accept the tokens, or its number means nothing.
      if (group.startsWith('verify')) {
        for (const i of [0, 1, distinct - 1]) {
          const result = await run(i)
          if (result === false || result === undefined || result === null) throw new Error(`${alg} ${name} did not verify the benchmark token`)
        }
      }
      cases.set(id, { alg, group, name, run })
    }
  }
  return { cases }
}

let ready: Promise<Setup> | undefined

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url)
    try {
      if (ready === undefined) {
        ready = setup(env)
        ready.catch(() => (ready = undefined))
      }
      const { cases } = await ready
      if (url.pathname === '/cases') {
        return Response.json([...cases].map(([id, { alg, group, name }]) => ({ id, alg, group, name })))
      }
      if (url.pathname === '/run') {
        const id = url.searchParams.get('case') ?? ''
        const n = Number(url.searchParams.get('n') ?? '0')
        const chosen = cases.get(id)
        if (chosen === undefined) return Response.json({ error: `no case ${id}` }, { status: 404 })
        if (!Number.isSafeInteger(n) || n < 0 || n > MAX_N) return Response.json({ error: `n must be 0..${MAX_N}` }, { status: 400 })
        // Start at a different token each request, so that no run repeats the last one's order.
        const start = (Math.random() * 65536) | 0
        for (let i = 0; i < n; i++) await chosen.run(start + i)
        return Response.json({ id, n })
      }
      return Response.json({ error: 'not_found' }, { status: 404 })
    } catch (error) {
      return Response.json({ error: error instanceof Error ? error.message : String(error) }, { status: 500 })
    }
  },
} satisfies ExportedHandler<Env>
