// The core's cases, written once and run unchanged in Node, workerd, Chromium and Deno (see the
// entries beside this file). Only the core, WebCrypto and standard globals: no test framework, no
// `node:` module, no Node global. JSON is imported with import attributes, which all four load.
import rfc7515 from '../fixtures/conformance/rfc7515-a1.json' with { type: 'json' }
import seedSamples from '../fixtures/conformance/seed-samples.json' with { type: 'json' }
import rfc7515a3 from '../fixtures/conformance/rfc7515-a3.json' with { type: 'json' }
import rfc8037a4 from '../fixtures/conformance/rfc8037-a4.json' with { type: 'json' }
import { ALGS, keySet, makeKeys, publicOf, REFRESH_SECRET } from '../support/keys.ts'
import { Hono } from 'hono'
import { decodeText, encode, encodeText } from '../../src/lib/base64url.ts'
import { hallpass as hallpassMiddleware, type HallpassEnv } from '../../src/hono.ts'
import { createHallpass, MemoryStore, REFRESH_TYP, TOKEN_ERRORS, type Hallpass, type HallpassOptions, type JsonObject } from '../../src/internal.ts'
import { matches } from '../protocol/match.ts'
import { ATTACKS } from '../support/attacks.ts'
import { accessToken, forge, now, SECRET, tamperSignature } from '../support/forge.ts'
import { equal, fail, includes, ok, outcome, rejectsWith } from './assert.ts'

export interface Case {
  name: string
  run: () => Promise<void>
}

const START = Date.UTC(2026, 0, 1) // epoch ms: the frozen clock's start
const START_S = START / 1000
const CLAIMS = { sub: 'user123', email: 'user@example.com', roles: ['user'] }

/** A hallpass instance on a frozen clock (from `start`, epoch ms) that only `advance` moves. */
async function frozen(options: HallpassOptions = {}, start = START): Promise<{ hp: Hallpass; store: MemoryStore; advance: (seconds: number) => void }> {
  let time = start
  const store = new MemoryStore()
  const hp = await createHallpass({ secret: SECRET, clock: () => time, store, ...options })
  return { hp, store, advance: (seconds) => void (time += seconds * 1000) }
}

/** Writes enough to sweep the whole store: each write sweeps a bounded part of it (a step every fourth write, 64 of 1024 shards at most). */
async function sweepAll(hp: Hallpass): Promise<void> {
  for (let i = 0; i < 4 * 17; i++) await hp.issue({ sub: 'sweeper' })
}

const cases: Case[] = []
const test = (name: string, run: () => Promise<void>) => void cases.push({ name, run })

// --- issue / verify / refresh / revoke, frozen clock -------------------------------------------

test('core: issues tokens with the caller claims and node-owned iat, exp, jti', async () => {
  const { hp } = await frozen()
  const tokens = await hp.issue(CLAIMS)
  equal(tokens.token_type, 'Bearer', 'token_type')
  equal(tokens.expires_in, 900, 'expires_in')
  equal(tokens.refresh_expires_in, 604800, 'refresh_expires_in')
  const claims = await hp.verify(tokens.access_token)
  includes(claims, { ...CLAIMS, iat: START_S, exp: START_S + 900 }, 'claims')
  ok(typeof claims.jti === 'string' && claims.jti.length > 0, 'jti is a non-empty string')
  equal(hp.inspect(tokens.access_token).header, { alg: 'HS256', typ: 'JWT' }, 'access header')
  equal(hp.inspect(tokens.refresh_token).header, { alg: 'HS256', typ: REFRESH_TYP }, 'refresh header')
})

test('core: does not let the caller choose iat, exp, nbf or jti', async () => {
  const { hp } = await frozen()
  const claims = await hp.verify((await hp.issue({ sub: 'u1', iat: 1, exp: 9999999999, nbf: 9999999999, jti: 'mine' })).access_token)
  equal(claims.exp, START_S + 900, 'exp')
  ok(claims.jti !== 'mine', 'jti is the node’s')
  ok(!('nbf' in claims), 'nbf dropped')
})

test('core: accepts a token until the second before exp and refuses it from exp on', async () => {
  const { hp, advance } = await frozen()
  const { access_token } = await hp.issue(CLAIMS)
  advance(899)
  equal(await outcome(hp.verify(access_token)), 'ok', 'at exp - 1')
  advance(1)
  await rejectsWith(hp.verify(access_token), 'token_expired', 'at exp')
})

test('core: applies the clock tolerance to exp', async () => {
  const { hp, advance } = await frozen({ clockTolerance: 30 })
  const { access_token } = await hp.issue(CLAIMS)
  advance(929)
  equal(await outcome(hp.verify(access_token)), 'ok', 'within tolerance')
  advance(1)
  await rejectsWith(hp.verify(access_token), 'token_expired', 'past tolerance')
})

test('core: names the key with the JWK kid', async () => {
  const k = encode(new Uint8Array(32).fill(1))
  const { hp } = await frozen({ secret: JSON.stringify({ kty: 'oct', k, kid: 'key-2026' }) })
  const { access_token } = await hp.issue(CLAIMS)
  equal(hp.inspect(access_token).header, { alg: 'HS256', typ: 'JWT', kid: 'key-2026' }, 'header')
  equal(await outcome(hp.verify(access_token)), 'ok', 'verify')
})

test('core: refuses tokens of an instance with another secret', async () => {
  const { hp } = await frozen()
  const other = await createHallpass({ secret: 'x'.repeat(32), clock: () => START })
  await rejectsWith(hp.verify((await other.issue(CLAIMS)).access_token), 'invalid_signature')
})

test('core: keeps refresh and access tokens apart', async () => {
  for (const options of [{}, { refreshSecret: 'r'.repeat(40) }]) {
    const { hp } = await frozen(options)
    const tokens = await hp.issue(CLAIMS)
    await rejectsWith(hp.verify(tokens.refresh_token), 'wrong_token_type', 'refresh token as access token')
    await rejectsWith(hp.refresh(tokens.access_token), 'wrong_token_type', 'access token as refresh token')
  }
})

test('core: refresh rotates and re-issues the caller claims with fresh times', async () => {
  const { hp, advance } = await frozen()
  const first = await hp.issue(CLAIMS)
  advance(600)
  const second = await hp.refresh(first.refresh_token)
  ok(second.refresh_token !== first.refresh_token, 'a new refresh token')
  const claims = await hp.verify(second.access_token)
  includes(claims, { ...CLAIMS, iat: START_S + 600, exp: START_S + 1500 }, 'claims')
  ok(claims.jti !== (await hp.verify(first.access_token)).jti, 'a new jti')
})

test('core: refresh lifetime slides with each rotation and ends when unused', async () => {
  const { hp, advance } = await frozen({ refreshTtl: 100 })
  let tokens = await hp.issue(CLAIMS)
  for (let i = 0; i < 3; i++) {
    advance(90)
    tokens = await hp.refresh(tokens.refresh_token)
  }
  advance(100)
  await rejectsWith(hp.refresh(tokens.refresh_token), 'token_expired')
})

test('core: reuse of a spent refresh token kills the family, its newest token too', async () => {
  const { hp } = await frozen()
  const first = await hp.issue(CLAIMS)
  const second = await hp.refresh(first.refresh_token)
  await rejectsWith(hp.refresh(first.refresh_token), 'refresh_token_reused', 'spent token')
  await rejectsWith(hp.refresh(second.refresh_token), 'token_revoked', 'newest token')
  await rejectsWith(hp.refresh(first.refresh_token), 'refresh_token_reused', 'spent token again')
})

test('core: reuse in one family leaves other families alone', async () => {
  const { hp } = await frozen()
  const a = await hp.issue(CLAIMS)
  const b = await hp.issue(CLAIMS)
  await hp.refresh(a.refresh_token)
  await rejectsWith(hp.refresh(a.refresh_token), 'refresh_token_reused', 'spent token of a')
  equal(await outcome(hp.refresh(b.refresh_token)), 'ok', 'refresh of b')
})

test('core: exactly one of concurrent refreshes with one token wins', async () => {
  const { hp } = await frozen()
  const first = await hp.issue(CLAIMS)
  const results = await Promise.all(Array.from({ length: 20 }, () => outcome(hp.refresh(first.refresh_token))))
  equal(results.filter((r) => r === 'ok').length, 1, 'winners')
})

test('core: an unknown family (state lost) answers token_revoked', async () => {
  const { hp } = await frozen()
  const first = await hp.issue(CLAIMS)
  const restarted = await createHallpass({ secret: SECRET, clock: () => START, store: new MemoryStore() })
  await rejectsWith(restarted.refresh(first.refresh_token), 'token_revoked')
})

test('core: a revoked access token is refused until its exp, then forgotten', async () => {
  const { hp, store, advance } = await frozen()
  const { access_token } = await hp.issue(CLAIMS)
  equal(await hp.revoke(access_token), { kind: 'access' }, 'revoke')
  await rejectsWith(hp.verify(access_token), 'token_revoked')
  equal(await hp.revoke(access_token), { kind: 'access' }, 'revoke again')
  advance(900)
  await sweepAll(hp)
  equal(store.size.revokedTokens, 0, 'revocations kept')
  await rejectsWith(hp.verify(access_token), 'token_expired')
})

test('core: revoking a refresh token revokes its whole family', async () => {
  const { hp } = await frozen()
  const first = await hp.issue(CLAIMS)
  const second = await hp.refresh(first.refresh_token)
  equal(await hp.revoke(second.refresh_token), { kind: 'refresh' }, 'revoke')
  await rejectsWith(hp.refresh(second.refresh_token), 'token_revoked')
})

test('core: forgets a family once its newest refresh token has expired', async () => {
  const { hp, store, advance } = await frozen({ refreshTtl: 100 })
  await hp.issue(CLAIMS)
  equal(store.size.families, 1, 'families')
  advance(100)
  await sweepAll(hp)
  // The families of the sweep itself are live; the first one is gone.
  equal(store.size.families, 4 * 17, 'families after the sweep')
})

test('core: refuses to revoke an access token without a jti', async () => {
  const { hp } = await frozen()
  await rejectsWith(hp.revoke(await forge({ alg: 'HS256' }, { sub: 'x', exp: START_S + 60 })), 'invalid_claims')
})

test('core: revokeSubject refuses what was issued in the same millisecond before it, and takes a login in that millisecond after it', async () => {
  const { hp } = await frozen({}, START + 123)
  const before = await hp.issue(CLAIMS)
  const other = await hp.issue({ sub: 'someone-else' })
  equal(await hp.revokeSubject('user123'), { sub: 'user123' }, 'revokeSubject')
  const after = await hp.issue(CLAIMS) // the clock has not moved
  await rejectsWith(hp.verify(before.access_token), 'token_revoked', 'access token issued before')
  await rejectsWith(hp.refresh(before.refresh_token), 'token_revoked', 'refresh token issued before')
  includes(await hp.verify(after.access_token), { sub: 'user123', iat: START_S }, 'access token issued after')
  includes(await hp.verify(other.access_token), { sub: 'someone-else' }, 'another subject')
  includes(await hp.verify((await hp.refresh(after.refresh_token)).access_token), { sub: 'user123' }, 'a rotation after')
})

test('core: revokeSubject ends a family whose later tokens were issued before it, and forgets the cut-off once all of them expired', async () => {
  const { hp, store, advance } = await frozen({ accessTtl: 60, refreshTtl: 600 })
  const first = await hp.issue(CLAIMS)
  advance(10)
  const second = await hp.refresh(first.refresh_token)
  advance(10)
  await hp.revokeSubject('user123')
  await rejectsWith(hp.refresh(second.refresh_token), 'token_revoked', 'refresh token')
  await rejectsWith(hp.verify(second.access_token), 'token_revoked', 'access token')
  equal(store.size.subjects, 1, 'cut-offs kept')
  // The longest lifetime, and a minute for what a refresh racing the revocation may mint.
  advance(600 + 59)
  await sweepAll(hp)
  equal(store.size.subjects, 1, 'cut-offs kept a minute past the longest lifetime')
  advance(2)
  await sweepAll(hp)
  equal(store.size.subjects, 0, 'cut-offs kept after that')
})

test('core: revokeSubject counts a token of another issuer from the start of its iat second, and one without iat as before any cut-off', async () => {
  const { hp, advance } = await frozen({}, START + 999)
  const early = await forge({ alg: 'HS256' }, { sub: 'user123', iat: START_S, exp: START_S + 60, jti: 'plain' })
  const undated = await forge({ alg: 'HS256' }, { sub: 'user123', exp: START_S + 60 })
  const later = await forge({ alg: 'HS256' }, { sub: 'user123', iat: START_S + 1, exp: START_S + 60 })
  await hp.revokeSubject('user123')
  await rejectsWith(hp.verify(early), 'token_revoked', 'iat in the cut-off second')
  await rejectsWith(hp.verify(undated), 'token_revoked', 'no iat')
  advance(1)
  includes(await hp.verify(later), { sub: 'user123' }, 'iat the second after')
})

test('core: revokeSubject refuses a sub that is not a non-empty string', async () => {
  const { hp } = await frozen()
  for (const sub of [undefined, '', 42, { id: 'x' }]) {
    const error = await hp.revokeSubject(sub).then(() => null, (e: unknown) => e)
    ok(error instanceof Error && error.message.includes('sub must be a non-empty string'), `revokeSubject(${JSON.stringify(sub)}) refused`)
  }
})

test('core: claims nested too deep to encode are error 12, not an internal error (a stack overflow)', async () => {
  const { hp } = await frozen()
  const deep = JSON.parse('['.repeat(20_000) + ']'.repeat(20_000)) as JsonObject
  includes(await hp.handle({ type: 'generate_access_token', msg_id: 1, payload: { sub: 'x', deep } }), { type: 'error', code: 12 }, 'reply')
})

test('core: issuer, audience and lifetimes are put in tokens and required on verify', async () => {
  const { hp } = await frozen({ issuer: 'https://auth.example', audience: 'api', accessTtl: 60 })
  const tokens = await hp.issue({ sub: 'u1', iss: 'me', aud: 'them' })
  equal(tokens.expires_in, 60, 'expires_in')
  includes(await hp.verify(tokens.access_token), { iss: 'https://auth.example', aud: 'api', exp: START_S + 60 }, 'claims')
  const sign = (claims: JsonObject) => forge({ alg: 'HS256' }, { sub: 'u', exp: START_S + 60, ...claims })
  await rejectsWith(hp.verify(await sign({ aud: 'api' })), 'invalid_claims', 'missing issuer')
  await rejectsWith(hp.verify(await sign({ iss: 'https://evil.example', aud: 'api' })), 'invalid_claims', 'another issuer')
  await rejectsWith(hp.verify(await sign({ iss: 'https://auth.example', aud: 'other' })), 'invalid_claims', 'another audience')
  equal(await outcome(hp.verify(await sign({ iss: 'https://auth.example', aud: ['x', 'api'] }))), 'ok', 'audience in an array')
})

test('core: refuses a weak secret and bad lifetimes at creation', async () => {
  for (const options of [{ secret: 'short' }, { secret: SECRET, accessTtl: 0 }, { secret: SECRET, verifyCache: -1 }, { secret: SECRET, refreshSecret: SECRET }]) {
    const error = await createHallpass(options).then(() => null, (e: unknown) => e)
    ok(error instanceof Error && (error as { code?: unknown }).code === 'ERR_HALLPASS_CONFIG', `ConfigError for ${JSON.stringify(options)}`)
  }
})

test('core: the verify cache changes no answer (expiry and revocation checked on hits)', async () => {
  const { hp, advance } = await frozen({ verifyCache: 10 })
  const a = await hp.issue(CLAIMS)
  const b = await hp.issue(CLAIMS)
  equal(await hp.verify(a.access_token), await hp.verify(a.access_token), 'hit')
  await hp.verify(b.access_token)
  await hp.revoke(b.access_token)
  await rejectsWith(hp.verify(b.access_token), 'token_revoked', 'revoked after a hit')
  await rejectsWith(hp.verify(tamperSignature(a.access_token)), 'invalid_signature', 'a different token')
  advance(900)
  await rejectsWith(hp.verify(a.access_token), 'token_expired', 'expired after a hit')
})

// --- conformance files -------------------------------------------------------------------------

test('conformance: RFC 7515 A.1 has a good signature under its JWK (clock before its exp)', async () => {
  const hp = await createHallpass({ secret: JSON.stringify(rfc7515.jwk), clock: () => (1300819380 - 60) * 1000 })
  const claims = await hp.verify(rfc7515.token)
  equal(claims, { iss: 'joe', exp: 1300819380, 'http://example.com/is_root': true }, 'claims')
})

test('conformance: RFC 7515 A.1 is expired today, and forged once its signature changes', async () => {
  const hp = await createHallpass({ secret: JSON.stringify(rfc7515.jwk) })
  const reply = await hp.handle({ type: 'verify_token', msg_id: 1, token: rfc7515.token })
  ok(matches(rfc7515.expect, reply), `expected ${JSON.stringify(rfc7515.expect)}, got ${JSON.stringify(reply)}`)
  const forged = await hp.handle({ type: 'verify_token', msg_id: 2, token: tamperSignature(rfc7515.token) })
  ok(matches(rfc7515.with_signature_changed.expect, forged), `got ${JSON.stringify(forged)}`)
})

for (const testCase of seedSamples.cases) {
  test(`conformance: seed sample "${testCase.name}" through hp.handle()`, async () => {
    const hp = await createHallpass({ secret: SECRET })
    const steps: Array<{ input: unknown; expect?: unknown }> = 'steps' in testCase && testCase.steps ? testCase.steps : [testCase]
    let accessTokenOfStep1 = ''
    for (const step of steps) {
      const input = JSON.parse(JSON.stringify(step.input).replace('{{access_token of step 1}}', accessTokenOfStep1)) as { src: string; dest: string }
      const reply = (await hp.handle(input)) as { src: string; dest: string; body: JsonObject }
      equal(reply.src, input.dest, 'reply.src')
      equal(reply.dest, input.src, 'reply.dest')
      if (reply.body.type === 'token_generated') accessTokenOfStep1 = reply.body.access_token as string
      if (step.expect !== undefined && !matches(step.expect, reply.body)) fail(`expected ${JSON.stringify(step.expect)}, got ${JSON.stringify(reply.body)}`)
    }
  })
}

test('conformance: RFC 7515 A.3 (ES256, a verify-only key): good signature, expired today; a changed signature is forged', async () => {
  const early = await createHallpass({ keys: rfc7515a3.jwks, refreshSecret: REFRESH_SECRET, clock: () => (1300819380 - 60) * 1000 })
  equal(await early.verify(rfc7515a3.token), { iss: 'joe', exp: 1300819380, 'http://example.com/is_root': true }, 'claims')
  const hp = await createHallpass({ keys: rfc7515a3.jwks, refreshSecret: REFRESH_SECRET })
  ok(matches(rfc7515a3.expect, await hp.handle({ type: 'verify_token', token: rfc7515a3.token })), 'expired')
  ok(matches(rfc7515a3.with_signature_changed.expect, await hp.handle({ type: 'verify_token', token: tamperSignature(rfc7515a3.token) })), 'forged')
  includes(await hp.handle({ type: 'generate_access_token', payload: CLAIMS }), { type: 'error', code: 10 }, 'verify-only')
})

for (const testCase of rfc8037a4.cases) {
  test(`conformance: RFC 8037 A.4 (Ed25519): ${testCase.name}`, async () => {
    const hp = await createHallpass({ keys: rfc8037a4.jwks, refreshSecret: REFRESH_SECRET })
    const reply = await hp.handle({ type: 'verify_token', token: testCase.token })
    ok(matches(testCase.expect, reply), `expected ${JSON.stringify(testCase.expect)}, got ${JSON.stringify(reply)}`)
  })
}

test('key ring: every algorithm signs and verifies here, and a node of public keys verifies it', async () => {
  const keys = await makeKeys()
  for (const alg of ALGS) {
    const signer = await createHallpass({ keys: keySet(...ALGS.map((a) => keys[a])), signingKid: `key-${alg}`, refreshSecret: REFRESH_SECRET })
    const tokens = await signer.issue(CLAIMS)
    includes(await signer.verify(tokens.access_token), { sub: 'user123' }, `${alg} verified by its signer`)
    includes(signer.inspect(tokens.access_token).header, { alg, kid: `key-${alg}` }, `${alg} header`)
    if (alg.startsWith('HS')) continue
    const verifier = await createHallpass({ keys: keySet(publicOf(keys[alg])), refreshSecret: REFRESH_SECRET })
    includes(await verifier.verify(tokens.access_token), { sub: 'user123' }, `${alg} verified from its public key`)
    await rejectsWith(verifier.verify(tamperSignature(tokens.access_token)), 'invalid_signature', `${alg} forged`)
  }
})

// --- the attack catalogue (test/protocol/suite.ts), through verify_token ------------------------

for (const [label, makeToken, code] of ATTACKS) {
  test(`attack: refuses ${label} (${code})`, async () => {
    const hp = await createHallpass({ secret: SECRET })
    const token = await makeToken(async () => (await hp.issue(CLAIMS)).refresh_token)
    const reply = await hp.handle({ type: 'verify_token', msg_id: 1, token })
    equal(reply, { type: 'token_invalid', in_reply_to: 1, error: TOKEN_ERRORS[code as keyof typeof TOKEN_ERRORS], code }, 'reply')
  })
}

test('base64url: short and long segments (two decoding paths where the runtime has Uint8Array.fromBase64) are equally strict', async () => {
  for (const text of ['{"sub":"u"}', `{"sub":"${'x'.repeat(2000)}"}`, `{"name":"${'Zoë 🎟 '.repeat(200)}"}`]) {
    for (const extra of ['', 'a', 'ab']) {
      const segment = encodeText(text + extra)
      equal(decodeText(segment), text + extra, `decoding ${segment.length} characters`)
      // The last character with stray bits set, where the length leaves any.
      const last = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(segment.at(-1)!)
      const strays = segment.length % 4 === 2 ? 0x0f : segment.length % 4 === 3 ? 0x03 : 0
      const spoiled = [segment + '=', ` ${segment}`, segment.slice(0, 7) + '+' + segment.slice(8), segment.slice(0, 7) + '/' + segment.slice(8), segment.slice(0, 9) + '\n' + segment.slice(9)]
      // One character more leaves a single character over, which no length of base64url does.
      if (segment.length % 4 === 0) spoiled.push(segment + 'A')
      if (strays !== 0) spoiled.push(segment.slice(0, -1) + 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[last | strays]!)
      for (const bad of spoiled) {
        let refused = false
        try {
          decodeText(bad)
        } catch {
          refused = true
        }
        ok(refused, `a spoiled ${bad.length}-character segment was refused`)
      }
    }
  }
})

test('attack: the sanity token of the catalogue verifies', async () => {
  const hp = await createHallpass({ secret: SECRET })
  includes(await hp.handle({ type: 'verify_token', msg_id: 1, token: await accessToken() }), { type: 'token_valid' }, 'reply')
})

// --- hallpass/hono: the middleware over Hono, in every runtime ------------------------------------

async function protectedApp(): Promise<{ app: Hono<HallpassEnv>; hp: Hallpass }> {
  const hp = await createHallpass({ secret: SECRET })
  const app = new Hono<HallpassEnv>()
  app.use('/api/*', hallpassMiddleware({ secret: SECRET, realm: 'api' }))
  app.get('/api/me', (c) => c.json({ sub: c.get('jwtPayload').sub }))
  return { app, hp }
}

test('hono middleware: lets a valid bearer token through with its claims', async () => {
  const { app, hp } = await protectedApp()
  const { access_token } = await hp.issue(CLAIMS)
  const response = await app.request('/api/me', { headers: { Authorization: `Bearer ${access_token}` } })
  equal(response.status, 200, 'status')
  equal(await response.json(), { sub: 'user123' }, 'body')
})

test('hono middleware: answers 401 with a Bearer challenge without a token, and for a bad one', async () => {
  const { app } = await protectedApp()
  const none = await app.request('/api/me')
  equal(none.status, 401, 'status without a token')
  equal(none.headers.get('WWW-Authenticate'), 'Bearer realm="api"', 'challenge')
  const expired = await app.request('/api/me', { headers: { Authorization: `Bearer ${await accessToken({ exp: now() - 10 })}` } })
  equal(expired.status, 401, 'status of an expired token')
  ok(/error="invalid_token"/.test(expired.headers.get('WWW-Authenticate') ?? ''), 'invalid_token challenge')
  includes(await expired.json(), { code: 'token_expired' }, 'body')
  const forged = await app.request('/api/me', { headers: { Authorization: `Bearer ${tamperSignature(await accessToken())}` } })
  includes(await forged.json(), { code: 'invalid_signature' }, 'forged body')
})

export { cases }

/** Runs every case in order; resolves with how many passed and the failures. */
export async function runAll(onResult?: (name: string, error?: unknown) => void): Promise<{ passed: number; failed: Array<{ name: string; error: unknown }> }> {
  let passed = 0
  const failed: Array<{ name: string; error: unknown }> = []
  for (const c of cases) {
    try {
      await c.run()
      passed++
      onResult?.(c.name)
    } catch (error) {
      failed.push({ name: c.name, error })
      onResult?.(c.name, error)
    }
  }
  return { passed, failed }
}
