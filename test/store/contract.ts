// The store contract (src/store/types.ts), written once and run against every store: the memory
// store, the SQLite file, PostgreSQL, the edge's Durable Objects. Each case uses names of its own,
// so one store instance can serve the whole suite; times are explicit, far from the clock. The
// races run the core over two store instances on one backend (two SQLite connections, two
// PostgreSQL pools, two Durable Object stubs), their calls interleaved by fast-check's scheduler.
import { fc } from '@fast-check/vitest'
import { beforeAll, describe, expect, it } from 'vitest'
import { createHallpass, TokenError, timedId, type FamilyRecord, type Hallpass, type RotateRequest, type RotateResult, type TokenSet, type TokenStore } from '../../src/internal.ts'

export interface ContractSubject {
  store: TokenStore
  /** A second instance on the same backend (a second connection, pool or stub; the same memory). */
  second: TokenStore
  /** Durable stores: the same state opened again (after `store.close()`). */
  reopen?: () => Promise<TokenStore>
  /** Stores that keep a view: one more instance on the backend at HALLPASS_REVOCATION_STALENESS=0, which asks it on every verify. */
  strict?: () => Promise<TokenStore>
}

/** An instant in seconds far enough ahead that no real clock (a Durable Object alarm) interferes. */
const T = 1_900_000_000
let serial = 0
/** A name no other case (or earlier run on the same durable store) has used. */
const unique = (label: string) => `${label}-${Date.now().toString(36)}-${serial++}-${Math.random().toString(36).slice(2, 8)}`

const claims = { sub: 'u', roles: ['r'], name: 'Zoë 🦊', nested: { deep: [1, 2.5, null, true] } }
/** Strings a client may send that a store could mangle: a NUL, lone surrogates, the escape marker. */
const HOSTILE = ['nul\u0000x', 'nul', '\u0000', '\ud800', '\udfff', '\ud800x', '\ufffd', '\u001b"bob"', '\u001b', 'bob', 'e\u0301', '🦊', ' ', "o'; DROP TABLE family; --"]

function record(exp: number, now: number, jti = `first-${now}`, authTimeMs = now * 1000): FamilyRecord {
  return { claims, authTimeMs, generation: 0, revoked: false, current: { jti, iat: now, exp }, rotatedAt: now }
}

function rotation(generation: number, exp: number, now: number, jti = `next-${now}`, reuseInterval = 0, sub: string | undefined = 'u'): RotateRequest {
  return { generation, sub, next: { jti, iat: now, exp }, now, reuseInterval }
}

const rotated = (authTimeMs = T * 1000) => ({ status: 'rotated', claims, authTimeMs })

export function storeContract(name: string, open: () => Promise<ContractSubject>): void {
  describe(`the store contract: ${name}`, () => {
    let subject: ContractSubject
    const store = () => subject.store
    beforeAll(async () => {
      subject = await open()
      return async () => {
        await subject.store.close?.()
        if (subject.second !== subject.store) await subject.second.close?.()
      }
    })

    it('rotates generation by generation; a spent token is reuse and kills the family; a future one is revoked', async () => {
      const id = unique('rotate')
      await store().createFamily(id, record(T + 100, T), T)
      expect(await store().rotateFamily(id, rotation(0, T + 200, T + 1))).toEqual(rotated())
      expect(await store().rotateFamily(id, rotation(1, T + 300, T + 2))).toEqual(rotated())
      expect(await store().rotateFamily(id, rotation(5, T + 300, T + 3))).toEqual({ status: 'revoked' })
      expect(await store().rotateFamily(id, rotation(0, T + 300, T + 4))).toEqual({ status: 'reused' })
      expect(await store().rotateFamily(id, rotation(2, T + 300, T + 5))).toEqual({ status: 'revoked' })
      expect(await store().revokeFamily(id, T + 6)).toBe(true)
    })

    it('knows nothing of an unknown or expired family, and revokes one for good', async () => {
      const id = unique('family')
      expect(await store().rotateFamily(id, rotation(0, T + 300, T))).toEqual({ status: 'unknown' })
      expect(await store().revokeFamily(id, T)).toBe(false)
      await store().createFamily(`${id}-short`, record(T + 10, T), T)
      expect(await store().rotateFamily(`${id}-short`, rotation(0, T + 20, T + 10))).toEqual({ status: 'unknown' })
      expect(await store().revokeFamily(`${id}-short`, T + 11)).toBe(false)
      await store().createFamily(`${id}-revoked`, record(T + 100, T), T)
      expect(await store().revokeFamily(`${id}-revoked`, T + 1)).toBe(true)
      expect(await store().revokeFamily(`${id}-revoked`, T + 2)).toBe(true)
      expect(await store().rotateFamily(`${id}-revoked`, rotation(0, T + 200, T + 2))).toEqual({ status: 'revoked' })
    })

    it('answers the immediate predecessor within the reuse interval with the successor, and nothing older', async () => {
      const id = unique('grace')
      await store().createFamily(id, record(T + 100, T), T)
      expect(await store().rotateFamily(id, rotation(0, T + 200, T + 10, 'g1', 30))).toEqual(rotated())
      expect(await store().rotateFamily(id, rotation(0, T + 200, T + 40, 'g1b', 30))).toEqual({ ...rotated(), status: 'grace', current: { jti: 'g1', iat: T + 10, exp: T + 200 } })
      expect(await store().rotateFamily(id, rotation(1, T + 300, T + 41, 'g2', 30))).toEqual(rotated())
      expect(await store().rotateFamily(id, rotation(0, T + 300, T + 42, 'g2b', 30))).toEqual({ status: 'reused' })
      expect(await store().rotateFamily(id, rotation(2, T + 300, T + 43, 'g3', 30))).toEqual({ status: 'revoked' })
    })

    it('lets exactly one of 40 concurrent rotations of one generation win, across both instances', async () => {
      const id = unique('race')
      await store().createFamily(id, record(T + 100, T), T)
      const results = (await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? store() : subject.second).rotateFamily(id, rotation(0, T + 200, T + 1, `n-${i}`))))) as RotateResult[]
      expect(results.filter((r) => r.status === 'rotated')).toHaveLength(1)
      expect(results.filter((r) => r.status === 'reused' || r.status === 'revoked')).toHaveLength(39)
    })

    it("refuses to rotate a family logged in at or before its subject's cut-off, in the rotation itself, and rotates one logged in after", async () => {
      const sub = unique('cutoff')
      const before = unique('before')
      const after = unique('after')
      await store().createFamily(before, record(T + 100, T, 'b0', T * 1000 + 499), T)
      await store().createFamily(after, record(T + 100, T, 'a0', T * 1000 + 500), T)
      // Through the other instance, whose view this one has not read: the rotation must still see it.
      await subject.second.revokeSubject(sub, T * 1000 + 500, T + 100, T)
      expect(await store().rotateFamily(before, rotation(0, T + 200, T + 1, 'b1', 0, sub))).toEqual({ status: 'revoked' })
      expect(await store().rotateFamily(before, rotation(0, T + 200, T + 2, 'b2', 0, sub))).toEqual({ status: 'revoked' })
      expect(await store().rotateFamily(after, rotation(0, T + 200, T + 1, 'a1', 0, sub))).toEqual(rotated(T * 1000 + 500))
      // Another subject's cut-off is nobody else's.
      const other = unique('other')
      await store().createFamily(other, record(T + 100, T, 'o0', T * 1000), T)
      expect(await store().rotateFamily(other, rotation(0, T + 200, T + 1, 'o1', 0, `${sub}-x`))).toMatchObject({ status: 'rotated' })
    })

    it('refuses a revoked jti until its expiry, and nothing else', async () => {
      const jti = unique('jti')
      await store().revokeToken(jti, 'alice', T + 50, T)
      expect(await store().isRevoked({ jti, sub: 'alice', iat: T }, T + 49)).toBe(true)
      expect(await store().isRevoked({ jti, sub: 'alice', iat: T }, T + 50)).toBe(false)
      expect(await store().isRevoked({ jti: `${jti}-other`, sub: 'alice', iat: T }, T)).toBe(false)
      // A token without sub is remembered by its jti alone.
      const bare = unique('bare')
      await store().revokeToken(bare, undefined, T + 50, T)
      expect(await store().isRevoked({ jti: bare, sub: undefined, iat: T }, T)).toBe(true)
      expect(await store().isRevoked({ jti: undefined, sub: undefined, iat: T }, T)).toBe(false)
      // Revoked with an expiry already past: nothing to refuse.
      const dead = unique('dead')
      await store().revokeToken(dead, 'alice', T - 1, T)
      expect(await store().isRevoked({ jti: dead, sub: 'alice', iat: T - 100 }, T)).toBe(false)
    })

    it('revokes a token whatever NumericDate its exp is: fractional, huge', async () => {
      for (const exp of [T + 50.5, T + 60.001, 1e300, Number.MAX_VALUE, 2 ** 63]) {
        const jti = unique('odd-exp')
        await store().revokeToken(jti, 'alice', exp, T)
        expect(await store().isRevoked({ jti, sub: 'alice', iat: T }, T + 50), String(exp)).toBe(true)
      }
      const sub = unique('odd-subject-exp')
      await store().revokeSubject(sub, T * 1000, 1e300, T)
      expect(await store().isRevoked({ jti: undefined, sub, iat: T - 1 }, T + 10 ** 9)).toBe(true)
    })

    it("refuses a subject's tokens judged before its cut-off, to the millisecond, until the cut-off expires", async () => {
      const sub = unique('subject')
      const cutoffMs = T * 1000 + 500
      await store().revokeSubject(sub, cutoffMs, T + 100, T)
      const at = (ms: number) => ({ jti: timedId(ms), sub, iat: Math.floor(ms / 1000) })
      expect(await store().isRevoked(at(cutoffMs - 1), T)).toBe(true)
      expect(await store().isRevoked(at(cutoffMs - 5000), T)).toBe(true)
      expect(await store().isRevoked(at(cutoffMs), T)).toBe(false)
      expect(await store().isRevoked(at(cutoffMs + 1), T)).toBe(false)
      // A jti that says nothing counts from the start of its iat second: refused within that second.
      expect(await store().isRevoked({ jti: 'plain', sub, iat: T }, T)).toBe(true)
      expect(await store().isRevoked({ jti: 'plain', sub, iat: T + 1 }, T)).toBe(false)
      expect(await store().isRevoked({ jti: undefined, sub, iat: undefined }, T)).toBe(true)
      // Another subject, and this one once the cut-off has expired.
      expect(await store().isRevoked({ ...at(cutoffMs - 1), sub: `${sub}-other` }, T)).toBe(false)
      expect(await store().isRevoked(at(cutoffMs - 1), T + 100)).toBe(false)
    })

    it('judges a token by its auth_time (the login instant) when it carries one, whatever its iat', async () => {
      const sub = unique('auth-time')
      const cutoffMs = T * 1000 + 500
      await store().revokeSubject(sub, cutoffMs, T + 100, T)
      // Minted after the cut-off by a refresh of a family logged in before it: refused.
      const late = { jti: timedId(cutoffMs + 5000), sub, iat: T + 5 }
      expect(await store().isRevoked({ ...late, authTime: (cutoffMs - 1) / 1000 }, T)).toBe(true)
      expect(await store().isRevoked({ ...late, authTime: cutoffMs / 1000 }, T)).toBe(false)
      expect(await store().isRevoked(late, T)).toBe(false)
      // An auth_time that is no number is refused by any cut-off.
      for (const authTime of ['1', null, {}, Number.NaN]) expect(await store().isRevoked({ ...late, authTime }, T), JSON.stringify(authTime)).toBe(true)
    })

    it('keeps the latest cut-off and the latest expiry of a subject', async () => {
      const sub = unique('subject')
      const at = (ms: number) => ({ jti: timedId(ms), sub, iat: Math.floor(ms / 1000) })
      await store().revokeSubject(sub, T * 1000 + 2000, T + 100, T)
      await store().revokeSubject(sub, T * 1000 + 1000, T + 500, T)
      expect(await store().isRevoked(at(T * 1000 + 1500), T)).toBe(true)
      expect(await store().isRevoked(at(T * 1000 + 1500), T + 400)).toBe(true)
      expect(await store().isRevoked(at(T * 1000 + 2500), T)).toBe(false)
    })

    it('keeps every string a client can send apart and unchanged: revoking one subject never touches another', async () => {
      const tag = unique('hostile')
      for (const [i, text] of HOSTILE.entries()) {
        await store().revokeSubject(`${text}${tag}`, T * 1000 + 500, T + 100, T)
        await store().revokeToken(`${text}${tag}-jti`, `${text}${tag}`, T + 100, T)
        for (const [j, other] of HOSTILE.entries()) {
          const query = { jti: undefined, sub: `${other}${tag}`, iat: T, authTime: T + 0.1 }
          expect(await store().isRevoked(query, T), `${JSON.stringify(text)} revoked: ${JSON.stringify(other)}`).toBe(j <= i)
          // By its jti alone (the edge finds a jti under its subject's object): issued after the cut-off.
          expect(await store().isRevoked({ jti: `${other}${tag}-jti`, sub: `${other}${tag}`, iat: T + 1 }, T)).toBe(j <= i)
        }
      }
      // Claims come back as given, through a rotation (and, below, a reopen).
      const id = unique('hostile-claims')
      const odd = { sub: HOSTILE[0]!, all: HOSTILE, [HOSTILE[3]!]: HOSTILE[4]! }
      await store().createFamily(id, { ...record(T + 100, T), claims: odd }, T)
      expect(await store().rotateFamily(id, rotation(0, T + 200, T + 1))).toEqual({ status: 'rotated', claims: odd, authTimeMs: T * 1000 })
    })

    it('tells a catch-up what the other instance revoked', async () => {
      const sub = unique('catch-up')
      const jti = unique('catch-up-jti')
      await subject.second.revokeSubject(sub, T * 1000 + 500, T + 100, T)
      await subject.second.revokeToken(jti, sub, T + 100, T)
      await store().catchUp?.()
      expect(await store().isRevoked({ jti: undefined, sub, iat: T }, T)).toBe(true)
      expect(await store().isRevoked({ jti, sub, iat: T + 1 }, T)).toBe(true)
    })

    it('at HALLPASS_REVOCATION_STALENESS=0, refuses what another instance revoked at once, with no catch-up', async (context) => {
      if (subject.strict === undefined) return context.skip()
      const strict = await subject.strict()
      try {
        const sub = unique('strict')
        const jti = unique('strict-jti')
        expect(await strict.isRevoked({ jti, sub, iat: T, authTime: T }, T)).toBe(false)
        await subject.second.revokeToken(jti, sub, T + 100, T)
        expect(await strict.isRevoked({ jti, sub, iat: T + 1 }, T)).toBe(true)
        await subject.second.revokeSubject(sub, T * 1000 + 500, T + 100, T)
        expect(await strict.isRevoked({ jti: undefined, sub, iat: T + 5, authTime: T }, T)).toBe(true)
        expect(await strict.isRevoked({ jti: undefined, sub, iat: T + 5, authTime: T + 1 }, T)).toBe(false)
        expect(await strict.isRevoked({ jti: undefined, sub: `${sub}-other`, iat: T, authTime: T }, T)).toBe(false)
      } finally {
        await strict.close?.()
      }
    })

    describe('log out everywhere under races (PROTOCOL v3)', () => {
      raceProperties(() => subject)
    })

    it('keeps every change across a close and a reopen (durable stores)', async (context) => {
      if (subject.reopen === undefined) return context.skip()
      const id = unique('durable')
      const jti = unique('jti')
      const sub = unique('subject')
      await store().createFamily(id, record(T + 100, T, 'd0', T * 1000 + 7), T)
      expect(await store().rotateFamily(id, rotation(0, T + 200, T + 1, 'd1'))).toMatchObject({ status: 'rotated', authTimeMs: T * 1000 + 7 })
      await store().createFamily(`${id}-revoked`, record(T + 100, T), T)
      await store().revokeFamily(`${id}-revoked`, T + 1)
      await store().revokeToken(jti, 'bob', T + 100, T)
      await store().revokeSubject(sub, T * 1000 + 500, T + 100, T)
      await store().revokeSubject(`${HOSTILE[0]}${sub}`, T * 1000 + 500, T + 100, T)
      await store().createFamily(`${id}-later`, record(T + 100, T, 'l0', T * 1000 + 400), T)
      await store().close?.()
      subject.store = await subject.reopen()
      expect(await store().isRevoked({ jti, sub: 'bob', iat: T }, T + 1)).toBe(true)
      expect(await store().isRevoked({ jti: timedId(T * 1000 + 499), sub, iat: T }, T + 1)).toBe(true)
      expect(await store().isRevoked({ jti: undefined, sub: `${HOSTILE[0]}${sub}`, iat: T }, T + 1)).toBe(true)
      expect(await store().isRevoked({ jti: undefined, sub: `${HOSTILE[1]}${sub}`, iat: T }, T + 1)).toBe(false)
      expect(await store().rotateFamily(id, rotation(0, T + 300, T + 2))).toEqual({ status: 'reused' })
      expect(await store().rotateFamily(`${id}-revoked`, rotation(0, T + 300, T + 2))).toEqual({ status: 'revoked' })
      expect(await store().rotateFamily(`${id}-later`, rotation(0, T + 300, T + 2, 'l1', 0, sub))).toEqual({ status: 'revoked' })
    })
  })
}

const SECRET = 'race-secret-that-is-at-least-32-bytes-long'

type Outcome = { ok: true; tokens: TokenSet } | { ok: false; code: string }
const outcome = (work: Promise<TokenSet>): Promise<Outcome> =>
  work.then(
    (tokens) => ({ ok: true, tokens }),
    (error: unknown) => {
      if (error instanceof TokenError) return { ok: false, code: error.code }
      throw error
    },
  )

/**
 * A store whose every call starts, and every answer is handed back, only when the scheduler of
 * the current run says so; outside a run it passes through.
 */
function scheduled(store: TokenStore, current: () => fc.Scheduler | undefined): TokenStore {
  const wrap =
    <A extends unknown[], R>(name: string, call: (...args: A) => R) =>
    (...args: A): unknown => {
      const s = current()
      if (s === undefined) return call(...args)
      return s.schedule(Promise.resolve(), `${name} starts`).then(async () => {
        const answer = await call(...args)
        return await s.schedule(Promise.resolve(answer), `${name} answers`)
      })
    }
  return {
    createFamily: wrap('createFamily', (...a: Parameters<TokenStore['createFamily']>) => store.createFamily(...a)),
    rotateFamily: wrap('rotateFamily', (...a: Parameters<TokenStore['rotateFamily']>) => store.rotateFamily(...a)),
    revokeFamily: wrap('revokeFamily', (...a: Parameters<TokenStore['revokeFamily']>) => store.revokeFamily(...a)),
    revokeToken: wrap('revokeToken', (...a: Parameters<TokenStore['revokeToken']>) => store.revokeToken(...a)),
    revokeSubject: wrap('revokeSubject', (...a: Parameters<TokenStore['revokeSubject']>) => store.revokeSubject(...a)),
    isRevoked: wrap('isRevoked', (...a: Parameters<TokenStore['isRevoked']>) => store.isRevoked(...a)),
  } as TokenStore
}

/**
 * `revoke_subject` through one instance against `refresh_token` of the same subject through the
 * other, every store call of both interleaved by the scheduler. Whatever the order: the refresh
 * fails or mints tokens the revocation covers; once both views have caught up, nothing of the
 * family verifies or refreshes on either instance; a login after the revocation works on both.
 */
function raceProperties(subject: () => ContractSubject): void {
  let current: fc.Scheduler | undefined
  let a: Hallpass
  let b: Hallpass
  beforeAll(async () => {
    a = await createHallpass({ secret: SECRET, store: scheduled(subject().store, () => current) })
    b = await createHallpass({ secret: SECRET, store: scheduled(subject().second, () => current) })
  })
  const catchUp = async () => {
    await subject().store.catchUp?.()
    await subject().second.catchUp?.()
  }

  it('revoke_subject against refresh_token of the same subject: one of the outcomes PROTOCOL allows, in every interleaving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.boolean(), fc.boolean(), async (s, rotatedBefore, sameInstance) => {
        const sub = unique('raced')
        const login = await a.issue({ sub, role: 'user' })
        // An older refresh token of the subject: the first, or one rotated before the race.
        const presented = rotatedBefore ? await a.refresh(login.refresh_token) : login
        const refresher = sameInstance ? b : a
        current = s
        let race: [Outcome, { sub: string }]
        try {
          race = await s.waitFor(Promise.all([outcome(refresher.refresh(presented.refresh_token)), b.revokeSubject(sub)]))
        } finally {
          current = undefined
        }
        const [refreshed] = race
        if (!refreshed.ok) expect(refreshed.code).toBe('token_revoked')
        await catchUp()
        const minted = refreshed.ok ? [refreshed.tokens] : []
        for (const hp of [a, b]) {
          for (const tokens of [login, presented, ...minted]) {
            await expect(hp.verify(tokens.access_token)).rejects.toMatchObject({ code: 'token_revoked' })
            expect((await outcome(hp.refresh(tokens.refresh_token))).ok).toBe(false)
          }
        }
        // A login after the revocation works, through the instance that revoked and the other.
        const again = await b.issue({ sub })
        await expect(a.verify(again.access_token)).resolves.toMatchObject({ sub })
        await expect(a.refresh(again.refresh_token)).resolves.toMatchObject({ token_type: 'Bearer' })
      }),
      { numRuns: 40 },
    )
  }, 60_000)
}
