// The store contract (src/store/types.ts), written once and run against every store: the memory
// store, the SQLite file, the edge's Durable Objects (and PostgreSQL). Each case uses names of its
// own, so one store instance can serve the whole suite; times are explicit, far from the clock.
import { describe, expect, it } from 'vitest'
import { timedId, type FamilyRecord, type RotateRequest, type RotateResult, type TokenStore } from '../../src/index.ts'

export interface ContractSubject {
  store: TokenStore
  /** Durable stores: the same state opened again (after `store.close()`). */
  reopen?: () => Promise<TokenStore>
}

/** An instant in seconds far enough ahead that no real clock (a Durable Object alarm) interferes. */
const T = 1_900_000_000
let serial = 0
/** A name no other case (or earlier run on the same durable store) has used. */
const unique = (label: string) => `${label}-${Date.now().toString(36)}-${serial++}-${Math.random().toString(36).slice(2, 8)}`

const claims = { sub: 'u', roles: ['r'], name: 'Zoë 🦊', nested: { deep: [1, 2.5, null, true] } }

function record(exp: number, now: number, jti = `first-${now}`): FamilyRecord {
  return { claims, generation: 0, revoked: false, current: { jti, iat: now, exp }, rotatedAt: now }
}

function rotation(generation: number, exp: number, now: number, jti = `next-${now}`, reuseInterval = 0): RotateRequest {
  return { generation, next: { jti, iat: now, exp }, now, reuseInterval }
}

export function storeContract(name: string, open: () => Promise<ContractSubject>): void {
  describe(`the store contract: ${name}`, () => {
    let subject: ContractSubject
    const store = () => subject.store

    it('opens', async () => {
      subject = await open()
      expect(typeof subject.store.isRevoked).toBe('function')
    })

    it('rotates generation by generation; a spent token is reuse and kills the family; a future one is revoked', async () => {
      const id = unique('rotate')
      await store().createFamily(id, record(T + 100, T), T)
      expect(await store().rotateFamily(id, rotation(0, T + 200, T + 1))).toEqual({ status: 'rotated', claims })
      expect(await store().rotateFamily(id, rotation(1, T + 300, T + 2))).toEqual({ status: 'rotated', claims })
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
      expect(await store().rotateFamily(id, rotation(0, T + 200, T + 10, 'g1', 30))).toEqual({ status: 'rotated', claims })
      expect(await store().rotateFamily(id, rotation(0, T + 200, T + 40, 'g1b', 30))).toEqual({ status: 'grace', claims, current: { jti: 'g1', iat: T + 10, exp: T + 200 } })
      expect(await store().rotateFamily(id, rotation(1, T + 300, T + 41, 'g2', 30))).toEqual({ status: 'rotated', claims })
      expect(await store().rotateFamily(id, rotation(0, T + 300, T + 42, 'g2b', 30))).toEqual({ status: 'reused' })
      expect(await store().rotateFamily(id, rotation(2, T + 300, T + 43, 'g3', 30))).toEqual({ status: 'revoked' })
    })

    it('lets exactly one of 40 concurrent rotations of one generation win', async () => {
      const id = unique('race')
      await store().createFamily(id, record(T + 100, T), T)
      const results = (await Promise.all(Array.from({ length: 40 }, (_, i) => store().rotateFamily(id, rotation(0, T + 200, T + 1, `n-${i}`))))) as RotateResult[]
      expect(results.filter((r) => r.status === 'rotated')).toHaveLength(1)
      expect(results.filter((r) => r.status === 'reused' || r.status === 'revoked')).toHaveLength(39)
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

    it("refuses a subject's tokens issued before its cut-off, to the millisecond, until the cut-off expires", async () => {
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

    it('keeps the latest cut-off and the latest expiry of a subject', async () => {
      const sub = unique('subject')
      const at = (ms: number) => ({ jti: timedId(ms), sub, iat: Math.floor(ms / 1000) })
      await store().revokeSubject(sub, T * 1000 + 2000, T + 100, T)
      await store().revokeSubject(sub, T * 1000 + 1000, T + 500, T)
      expect(await store().isRevoked(at(T * 1000 + 1500), T)).toBe(true)
      expect(await store().isRevoked(at(T * 1000 + 1500), T + 400)).toBe(true)
      expect(await store().isRevoked(at(T * 1000 + 2500), T)).toBe(false)
    })

    it('hands back claims exactly as given', async () => {
      const id = unique('claims')
      await store().createFamily(id, record(T + 100, T), T)
      const result = await store().rotateFamily(id, rotation(0, T + 200, T + 1))
      expect(result).toEqual({ status: 'rotated', claims })
    })

    it('keeps every change across a close and a reopen (durable stores)', async (context) => {
      if (subject.reopen === undefined) return context.skip()
      const id = unique('durable')
      const jti = unique('jti')
      const sub = unique('subject')
      await store().createFamily(id, record(T + 100, T), T)
      expect(await store().rotateFamily(id, rotation(0, T + 200, T + 1, 'd1'))).toMatchObject({ status: 'rotated' })
      await store().createFamily(`${id}-revoked`, record(T + 100, T), T)
      await store().revokeFamily(`${id}-revoked`, T + 1)
      await store().revokeToken(jti, 'bob', T + 100, T)
      await store().revokeSubject(sub, T * 1000 + 500, T + 100, T)
      await store().close?.()
      subject.store = await subject.reopen()
      expect(await store().isRevoked({ jti, sub: 'bob', iat: T }, T + 1)).toBe(true)
      expect(await store().isRevoked({ jti: timedId(T * 1000 + 499), sub, iat: T }, T + 1)).toBe(true)
      expect(await store().rotateFamily(id, rotation(0, T + 300, T + 2))).toEqual({ status: 'reused' })
      expect(await store().rotateFamily(`${id}-revoked`, rotation(0, T + 300, T + 2))).toEqual({ status: 'revoked' })
    })

    it('closes', async () => {
      await subject.store.close?.()
    })
  })
}
