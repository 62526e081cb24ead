// The core with a frozen clock: lifetimes, rotation, reuse, revocation and their expiry.
import { beforeEach, describe, expect, it } from 'vitest'
import { createHallpass, MemoryStore, REFRESH_TYP, TokenError, type Hallpass, type TokenStore } from '../../src/index.ts'
import { SECRET } from '../support/forge.ts'

const START = Date.UTC(2026, 0, 1) // epoch ms
const CLAIMS = { sub: 'user123', email: 'user@example.com', roles: ['user'] }

let time = START
let store: MemoryStore
let hp: Hallpass

async function make(options: Parameters<typeof createHallpass>[0] = {}): Promise<Hallpass> {
  return createHallpass({ secret: SECRET, clock: () => time, store, ...options })
}
function advance(seconds: number): void {
  time += seconds * 1000
}
/** Writes enough to sweep the whole store: each write sweeps a bounded part of it (a step every fourth write, 64 of 1024 shards at most). */
async function sweepAll(): Promise<void> {
  for (let i = 0; i < 4 * 17; i++) await hp.issue({ sub: 'sweeper' })
}
async function code(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e: unknown) => e)
  if (!(error instanceof TokenError)) throw new Error(`expected a TokenError, got ${String(error)}`)
  return error.code
}

beforeEach(async () => {
  time = START
  store = new MemoryStore()
  hp = await make()
})

describe('issue and verify', () => {
  it('issues tokens whose claims carry the caller claims and node-owned times', async () => {
    const tokens = await hp.issue(CLAIMS)
    const claims = await hp.verify(tokens.access_token)
    expect(claims).toMatchObject({ ...CLAIMS, iat: START / 1000, exp: START / 1000 + 900 })
    expect(hp.inspect(tokens.refresh_token).header).toEqual({ alg: 'HS256', typ: REFRESH_TYP })
  })
  it('accepts a token until the second before exp, and refuses it from exp on', async () => {
    const { access_token } = await hp.issue(CLAIMS)
    advance(899)
    await expect(hp.verify(access_token)).resolves.toBeDefined()
    advance(1)
    expect(await code(hp.verify(access_token))).toBe('token_expired')
  })
  it('applies the clock tolerance', async () => {
    hp = await make({ clockTolerance: 30 })
    const { access_token } = await hp.issue(CLAIMS)
    advance(929)
    await expect(hp.verify(access_token)).resolves.toBeDefined()
    advance(1)
    expect(await code(hp.verify(access_token))).toBe('token_expired')
  })
  it('names the key with the JWK kid', async () => {
    const k = Buffer.alloc(32, 1).toString('base64url')
    hp = await make({ secret: JSON.stringify({ kty: 'oct', k, kid: 'key-2026' }) })
    const { access_token } = await hp.issue(CLAIMS)
    expect(hp.inspect(access_token).header).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'key-2026' })
    await expect(hp.verify(access_token)).resolves.toBeDefined()
  })
  it('refuses tokens of another instance with another secret', async () => {
    const other = await createHallpass({ secret: 'x'.repeat(32), clock: () => time })
    const { access_token } = await other.issue(CLAIMS)
    expect(await code(hp.verify(access_token))).toBe('invalid_signature')
  })
  it('keeps refresh and access tokens apart even under an explicit refresh secret', async () => {
    hp = await make({ refreshSecret: 'r'.repeat(40) })
    const tokens = await hp.issue(CLAIMS)
    expect(await code(hp.verify(tokens.refresh_token))).toBe('wrong_token_type')
    expect(await code(hp.refresh(tokens.access_token))).toBe('wrong_token_type')
  })
})

describe('refresh', () => {
  it('rotates and re-issues the caller claims with fresh times', async () => {
    const first = await hp.issue(CLAIMS)
    advance(600)
    const second = await hp.refresh(first.refresh_token)
    const claims = await hp.verify(second.access_token)
    expect(claims).toMatchObject({ ...CLAIMS, iat: START / 1000 + 600, exp: START / 1000 + 1500 })
    expect(claims.jti).not.toBe((await hp.verify(first.access_token)).jti)
  })
  it('slides the refresh lifetime with each rotation, and ends it when unused', async () => {
    hp = await make({ refreshTtl: 100 })
    let tokens = await hp.issue(CLAIMS)
    for (let i = 0; i < 3; i++) {
      advance(90)
      tokens = await hp.refresh(tokens.refresh_token)
    }
    advance(100)
    expect(await code(hp.refresh(tokens.refresh_token))).toBe('token_expired')
  })
  it('treats a spent token as reuse: the family dies, its newest token too', async () => {
    const first = await hp.issue(CLAIMS)
    const second = await hp.refresh(first.refresh_token)
    expect(await code(hp.refresh(first.refresh_token))).toBe('refresh_token_reused')
    expect(await code(hp.refresh(second.refresh_token))).toBe('token_revoked')
    expect(await code(hp.refresh(first.refresh_token))).toBe('refresh_token_reused')
  })
  it('leaves other families alone when one is revoked', async () => {
    const a = await hp.issue(CLAIMS)
    const b = await hp.issue(CLAIMS)
    await hp.refresh(a.refresh_token)
    await code(hp.refresh(a.refresh_token))
    await expect(hp.refresh(b.refresh_token)).resolves.toBeDefined()
  })
  it('lets exactly one of concurrent refreshes win', async () => {
    const first = await hp.issue(CLAIMS)
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => hp.refresh(first.refresh_token)))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
  })
  it('answers token_revoked for a family this store does not know (state lost)', async () => {
    const first = await hp.issue(CLAIMS)
    const restarted = await createHallpass({ secret: SECRET, clock: () => time, store: new MemoryStore() })
    expect(await code(restarted.refresh(first.refresh_token))).toBe('token_revoked')
  })
})

describe('reuse interval (HALLPASS_REUSE_INTERVAL)', () => {
  beforeEach(async () => {
    hp = await make({ reuseInterval: 30 })
  })
  it('answers the just-spent token within the interval with the successor its twin got', async () => {
    const first = await hp.issue(CLAIMS)
    const winner = await hp.refresh(first.refresh_token)
    advance(30)
    const twin = await hp.refresh(first.refresh_token)
    expect(twin.refresh_token).toBe(winner.refresh_token)
    expect(twin.access_token).not.toBe(winner.access_token)
    expect(await hp.verify(twin.access_token)).toMatchObject(CLAIMS)
    expect(twin.refresh_expires_in).toBe(604800 - 30)
    // The family carries on from the shared successor.
    await expect(hp.refresh(winner.refresh_token)).resolves.toBeDefined()
  })
  it('treats the just-spent token as reuse once the interval is over', async () => {
    const first = await hp.issue(CLAIMS)
    const second = await hp.refresh(first.refresh_token)
    advance(31)
    expect(await code(hp.refresh(first.refresh_token))).toBe('refresh_token_reused')
    expect(await code(hp.refresh(second.refresh_token))).toBe('token_revoked')
  })
  it('still kills the family for an older generation, even within the interval', async () => {
    const first = await hp.issue(CLAIMS)
    const second = await hp.refresh(first.refresh_token)
    const third = await hp.refresh(second.refresh_token)
    expect(await code(hp.refresh(first.refresh_token))).toBe('refresh_token_reused')
    expect(await code(hp.refresh(third.refresh_token))).toBe('token_revoked')
  })
  it('gives no grace in a revoked family', async () => {
    const first = await hp.issue(CLAIMS)
    const second = await hp.refresh(first.refresh_token)
    await hp.revoke(second.refresh_token)
    expect(await code(hp.refresh(first.refresh_token))).toBe('refresh_token_reused')
  })
  it('rotates once for concurrent refreshes with one token: every caller gets the same successor', async () => {
    const first = await hp.issue(CLAIMS)
    const results = await Promise.all(Array.from({ length: 10 }, () => hp.refresh(first.refresh_token)))
    expect(new Set(results.map((r) => r.refresh_token)).size).toBe(1)
    expect(hp.inspect(results[0]!.refresh_token).payload.gen).toBe(1)
  })
  it('is off by default: the just-spent token is reuse at once', async () => {
    hp = await make()
    const first = await hp.issue(CLAIMS)
    await hp.refresh(first.refresh_token)
    expect(await code(hp.refresh(first.refresh_token))).toBe('refresh_token_reused')
  })
})

describe('revoke', () => {
  it('refuses a revoked access token until its exp, then forgets it', async () => {
    const { access_token } = await hp.issue(CLAIMS)
    await expect(hp.revoke(access_token)).resolves.toEqual({ kind: 'access' })
    expect(await code(hp.verify(access_token))).toBe('token_revoked')
    await expect(hp.revoke(access_token)).resolves.toEqual({ kind: 'access' })
    advance(900)
    await sweepAll()
    expect(store.size.revokedTokens).toBe(0)
    expect(await code(hp.verify(access_token))).toBe('token_expired')
  })
  it('revokes a whole family through its refresh token', async () => {
    const first = await hp.issue(CLAIMS)
    const second = await hp.refresh(first.refresh_token)
    await expect(hp.revoke(second.refresh_token)).resolves.toEqual({ kind: 'refresh' })
    expect(await code(hp.refresh(second.refresh_token))).toBe('token_revoked')
  })
  it('refuses to revoke an access token without a jti', async () => {
    const { forge } = await import('../support/forge.ts')
    const token = await forge({ alg: 'HS256' }, { sub: 'x', exp: START / 1000 + 60 })
    expect(await code(hp.revoke(token))).toBe('invalid_claims')
  })
  it('drops families once their newest refresh token has expired', async () => {
    hp = await make({ refreshTtl: 100 })
    await hp.issue(CLAIMS)
    expect(store.size.families).toBe(1)
    advance(100)
    await sweepAll()
    // The families of the sweep itself are live; the first one is gone.
    expect(store.size.families).toBe(4 * 17)
  })
})

describe('revokeSubject', () => {
  it('refuses what was issued in the same millisecond before it, and takes a login in that millisecond after it', async () => {
    time = START + 123
    const before = await hp.issue(CLAIMS)
    const other = await hp.issue({ sub: 'someone-else' })
    await expect(hp.revokeSubject('user123')).resolves.toEqual({ sub: 'user123' })
    const after = await hp.issue(CLAIMS) // the clock has not moved
    expect(await code(hp.verify(before.access_token))).toBe('token_revoked')
    expect(await code(hp.refresh(before.refresh_token))).toBe('token_revoked')
    await expect(hp.verify(after.access_token)).resolves.toMatchObject({ sub: 'user123', iat: START / 1000 })
    await expect(hp.verify(other.access_token)).resolves.toMatchObject({ sub: 'someone-else' })
    const rotated = await hp.refresh(after.refresh_token)
    await expect(hp.verify(rotated.access_token)).resolves.toMatchObject({ sub: 'user123' })
  })
  it('ends a family whose later tokens were issued before it, and forgets the cut-off once all of them expired', async () => {
    hp = await make({ accessTtl: 60, refreshTtl: 600 })
    const first = await hp.issue(CLAIMS)
    advance(10)
    const second = await hp.refresh(first.refresh_token)
    advance(10)
    await hp.revokeSubject('user123')
    expect(await code(hp.refresh(second.refresh_token))).toBe('token_revoked')
    expect(await code(hp.verify(second.access_token))).toBe('token_revoked')
    expect(store.size.subjects).toBe(1)
    // The longest lifetime, and a minute for what a refresh racing the revocation may mint.
    advance(600 + 59)
    await sweepAll()
    expect(store.size.subjects).toBe(1)
    advance(2)
    await sweepAll()
    expect(store.size.subjects).toBe(0)
  })
  it('counts a token of another issuer from the start of its iat second, and one without iat as before any cut-off', async () => {
    const { forge } = await import('../support/forge.ts')
    const second = Math.floor(START / 1000)
    const early = await forge({ alg: 'HS256' }, { sub: 'user123', iat: second, exp: second + 60, jti: 'plain' })
    const undated = await forge({ alg: 'HS256' }, { sub: 'user123', exp: second + 60 })
    const later = await forge({ alg: 'HS256' }, { sub: 'user123', iat: second + 1, exp: second + 60 })
    time = START + 999
    await hp.revokeSubject('user123')
    expect(await code(hp.verify(early))).toBe('token_revoked')
    expect(await code(hp.verify(undated))).toBe('token_revoked')
    advance(1)
    await expect(hp.verify(later)).resolves.toMatchObject({ sub: 'user123' })
  })
  it('refuses a sub that is not a non-empty string', async () => {
    for (const sub of [undefined, '', 42, { id: 'x' }]) {
      await expect(hp.revokeSubject(sub)).rejects.toThrow('sub must be a non-empty string')
    }
  })
})

describe('handler', () => {
  it('answers error 11 when the store is unavailable, and changes nothing', async () => {
    const { StoreUnavailableError } = await import('../../src/index.ts')
    class Away extends MemoryStore {
      override createFamily(): Promise<void> {
        return Promise.reject(new StoreUnavailableError())
      }
    }
    const away = new Away()
    const seen: unknown[] = []
    hp = await createHallpass({ secret: SECRET, store: away })
    const reply = await hp.handler({ onInternalError: (e) => seen.push(e) }).handle({ type: 'generate_access_token', msg_id: 1, payload: CLAIMS })
    expect(reply).toEqual({ type: 'error', in_reply_to: 1, code: 11, text: 'Store unavailable' })
    expect(seen).toHaveLength(0)
  })
  it('gives a refresh retried after error 11 the successor that was committed, never reuse; a spent token otherwise stays reuse (v3)', async () => {
    const { StoreUnavailableError } = await import('../../src/index.ts')
    /** Commits the rotation, then loses the answer (a database that went silent after its commit). */
    class Forgetful extends MemoryStore {
      forget = false
      override rotateFamily(...args: Parameters<MemoryStore['rotateFamily']>): ReturnType<MemoryStore['rotateFamily']> {
        const result = super.rotateFamily(...args)
        if (this.forget) throw new StoreUnavailableError()
        return result
      }
    }
    const forgetful = new Forgetful()
    hp = await createHallpass({ secret: SECRET, clock: () => time, store: forgetful, storeWait: 10 })
    const first = await hp.issue(CLAIMS)
    forgetful.forget = true
    await expect(hp.refresh(first.refresh_token)).rejects.toMatchObject({ code: 'ERR_HALLPASS_STORE_UNAVAILABLE' })
    forgetful.forget = false
    advance(60)
    const retried = await hp.refresh(first.refresh_token)
    expect(await hp.verify(retried.access_token)).toMatchObject({ sub: CLAIMS.sub })
    // The successor it got is the one committed: it refreshes once, and only once.
    const next = await hp.refresh(retried.refresh_token)
    expect(await code(hp.refresh(retried.refresh_token))).toBe('refresh_token_reused')
    expect(await code(hp.refresh(next.refresh_token))).toBe('token_revoked')
    // A token whose refresh was answered (no doubt) is reuse when presented again, as ever.
    const other = await hp.issue(CLAIMS)
    await hp.refresh(other.refresh_token)
    expect(await code(hp.refresh(other.refresh_token))).toBe('refresh_token_reused')
    // And the retry window closes: HALLPASS_STORE_WAIT + 60 s after the error.
    const late = await hp.issue(CLAIMS)
    forgetful.forget = true
    await expect(hp.refresh(late.refresh_token)).rejects.toMatchObject({ code: 'ERR_HALLPASS_STORE_UNAVAILABLE' })
    forgetful.forget = false
    advance(71)
    expect(await code(hp.refresh(late.refresh_token))).toBe('refresh_token_reused')
  })
  it('answers error 13 for an internal failure, and tells only the error hook', async () => {
    const broken: TokenStore = { ...new MemoryStore(), createFamily: () => Promise.reject(new Error('disk on fire')) } as unknown as TokenStore
    const seen: unknown[] = []
    hp = await createHallpass({ secret: SECRET, store: broken })
    const reply = await hp.handler({ onInternalError: (e) => seen.push(e) }).handle({ type: 'generate_access_token', msg_id: 1, payload: CLAIMS })
    expect(reply).toEqual({ type: 'error', in_reply_to: 1, code: 13, text: 'Internal error' })
    expect(seen).toHaveLength(1)
  })
  // Regressions found by the fuzzers: both were internal errors (13) before.
  it('answers error 12 for claims too deep to encode', async () => {
    const deep = JSON.parse('['.repeat(20_000) + ']'.repeat(20_000))
    expect(await hp.handle({ type: 'generate_access_token', msg_id: 1, payload: { sub: 'x', deep } })).toMatchObject({ type: 'error', code: 12 })
  })
  it('answers error 12 for an envelope whose src or dest is not a string', async () => {
    expect(await hp.handle({ src: [[[]]], dest: 'jwt', body: { type: 'inspect_token', token: 'a.b.c' } })).toMatchObject({ body: { type: 'error', code: 12 } })
    expect(await hp.handle({ src: 'c1', dest: { a: 1 }, body: { type: 'inspect_token', token: 'a.b.c' } })).toMatchObject({ body: { type: 'error', code: 12 } })
  })
  it('returns null for JSON that is not an object', async () => {
    for (const value of [null, 1, 'x', [1], true]) expect(await hp.handle(value)).toBeNull()
  })
  it('refuses what the transport does not authorize with code 1001, before doing anything', async () => {
    const handler = hp.handler({ authorize: (type) => type !== 'generate_access_token' })
    expect(await handler.handle({ type: 'generate_access_token', msg_id: 3, payload: CLAIMS })).toMatchObject({ type: 'error', in_reply_to: 3, code: 1001 })
    expect(store.size.families).toBe(0)
  })
})
