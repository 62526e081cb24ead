// The state behind the edge: refresh families in per-family Durable Objects (atomic rotation,
// exactly one winner, reuse kills the family), revocations in per-subject objects. The store's
// semantics are the contract's (store-contract.test.ts); this file looks inside the objects.
import { env } from 'cloudflare:workers'
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { timedId, type FamilyRecord, type RotateRequest, type RotateResult } from '../../src/internal.ts'
import { revocationsName, type RefreshFamilies, type Revocations } from '../../worker/objects.ts'
import { DurableObjectStore } from '../../worker/store.ts'
import { claimsOf } from '../support/jwt.ts'
import { issue, message } from './support.ts'

type Reply = Record<string, unknown>

function familyStub(family: string) {
  return env.REFRESH_FAMILIES.get(env.REFRESH_FAMILIES.idFromName(family))
}

const ask = async (body: Reply) => (await (await message(body)).json()) as Reply


/** A family record created at `now` whose first refresh token expires at `exp`. */
function family(exp: number, now: number): FamilyRecord {
  return { claims: { sub: 'x' }, authTimeMs: now * 1000, generation: 0, revoked: false, current: { jti: `first-${now}`, iat: now, exp }, rotatedAt: now }
}

/** A rotation request for `generation`, whose successor would expire at `exp`. */
function rotation(generation: number, exp: number, now: number, jti = `next-${now}`, reuseInterval = 0): RotateRequest {
  return { generation, sub: 'x', next: { jti, iat: now, exp }, now, reuseInterval }
}

describe('refresh families in Durable Objects', () => {
  it('lets exactly one of 25 concurrent refreshes with one token win, and the race kills the family', async () => {
    const first = await issue({ sub: 'racer' })
    const family = claimsOf(first.refresh_token as string).fam as string
    const replies = await Promise.all(Array.from({ length: 25 }, (_, i) => ask({ type: 'refresh_token', msg_id: i, refresh_token: first.refresh_token })))
    const winners = replies.filter((r) => r.type === 'token_refreshed')
    expect(winners).toHaveLength(1)
    // The losers presented a spent token: reuse, per PROTOCOL.md and the MemoryStore.
    expect(replies.filter((r) => r.code === 'refresh_token_reused').length + replies.filter((r) => r.code === 'token_revoked').length).toBe(24)
    const stored = await runInDurableObject(familyStub(family), (instance: RefreshFamilies, state) => ({
      view: instance.inspect(family),
      rows: state.storage.sql.exec('SELECT id, claims, generation, revoked FROM family').toArray(),
    }))
    expect(stored.view).toMatchObject({ generation: 1, revoked: true })
    expect(stored.rows).toEqual([{ id: family, claims: JSON.stringify({ sub: 'racer' }), generation: 1, revoked: 1 }])
    expect(await ask({ type: 'refresh_token', refresh_token: winners[0]!.refresh_token })).toMatchObject({ code: 'token_revoked' })
  })

  it('rotates atomically inside the object: of 50 concurrent calls for one generation exactly one rotates', async () => {
    const store = new DurableObjectStore(env)
    const now = Math.floor(Date.now() / 1000)
    const id = `atomic-${crypto.randomUUID()}`
    await store.createFamily(id, family(now + 600, now), now)
    const stub = familyStub(id)
    const results = (await Promise.all(Array.from({ length: 50 }, (_, i) => stub.rotate(id, rotation(0, now + 1200, now, `next-${i}`))))) as RotateResult[]
    expect(results.filter((r) => r.status === 'rotated')).toHaveLength(1)
    expect(await runInDurableObject(stub, (instance: RefreshFamilies) => instance.inspect(id))).toEqual({ generation: 1, revoked: true, expiresAt: now + 1200, authTimeMs: now * 1000 })
  })

  it('rotates a family generation by generation, one object per family, storing no token', async () => {
    const a = await issue({ sub: 'a', email: 'a@example.com' })
    const b = await issue({ sub: 'b' })
    const famA = claimsOf(a.refresh_token as string).fam as string
    const famB = claimsOf(b.refresh_token as string).fam as string
    expect(env.REFRESH_FAMILIES.idFromName(famA).equals(env.REFRESH_FAMILIES.idFromName(famB))).toBe(false)
    let token = a.refresh_token
    for (let generation = 1; generation <= 3; generation++) {
      const reply = await ask({ type: 'refresh_token', refresh_token: token })
      expect(reply.type).toBe('token_refreshed')
      token = reply.refresh_token
      expect(claimsOf(token as string)).toMatchObject({ fam: famA, gen: generation })
    }
    const dump = await runInDurableObject(familyStub(famA), (_instance: RefreshFamilies, state) => JSON.stringify(state.storage.sql.exec('SELECT * FROM family').toArray()))
    expect(JSON.parse(dump)).toEqual([{ id: famA, claims: JSON.stringify({ sub: 'a', email: 'a@example.com' }), auth_time_ms: Math.round(claimsOf(a.refresh_token as string).auth_time as number * 1000), generation: 3, revoked: 0, current_jti: claimsOf(token as string).jti, current_iat: expect.any(Number), expires_at: expect.any(Number), rotated_at: expect.any(Number) }])
    expect(dump).not.toContain((a.refresh_token as string).split('.')[2])
    expect(dump).not.toContain((token as string).split('.')[2])
  })

  it('arms an alarm at the family expiry that wipes its storage', async () => {
    const store = new DurableObjectStore(env)
    const now = Math.floor(Date.now() / 1000)
    await store.createFamily('expiring-family', family(now + 3600, now), now)
    const stub = familyStub('expiring-family')
    expect(await runInDurableObject(stub, (_i: RefreshFamilies, state) => state.storage.getAlarm())).toBe((now + 3600) * 1000)
    // The alarm before expiry re-arms; once expired, storage goes.
    await runDurableObjectAlarm(stub)
    expect(await runInDurableObject(stub, (i: RefreshFamilies) => i.inspect('expiring-family'))).not.toBeNull()
    await runInDurableObject(stub, (_i: RefreshFamilies, state) => state.storage.sql.exec('UPDATE family SET expires_at = ?', now - 1))
    await runDurableObjectAlarm(stub)
    expect(await runInDurableObject(stub, (i: RefreshFamilies) => i.inspect('expiring-family'))).toBeNull()
    // An expired family is unknown afterwards, like in the MemoryStore.
    expect(await store.rotateFamily('expiring-family', rotation(0, now + 10, now))).toEqual({ status: 'unknown' })
  })
})

describe('revocations, one object per subject', () => {
  const revocationsOf = (jti: string | undefined, sub: string | undefined) => env.REVOCATIONS.get(env.REVOCATIONS.idFromName(revocationsName(jti, sub)!))

  it('routes a token by its subject, and by its jti only when it has none', () => {
    expect(revocationsName('j1', 'alice')).toBe('sub:alice')
    expect(revocationsName('j2', 'alice')).toBe('sub:alice')
    expect(revocationsName('j1', undefined)).toBe('jti:j1')
    expect(revocationsName(undefined, undefined)).toBeUndefined()
  })

  it("records a revoked access token in its subject's object until exp, and every verify consults it", async () => {
    const sub = `revoked-${crypto.randomUUID()}`
    const { access_token } = await issue({ sub })
    const { jti, exp } = claimsOf(access_token as string) as { jti: string; exp: number }
    expect(await ask({ type: 'verify_token', token: access_token })).toMatchObject({ type: 'token_valid' })
    expect(await ask({ type: 'revoke_token', token: access_token })).toMatchObject({ type: 'token_revoked', token_kind: 'access' })
    const row = await runInDurableObject(revocationsOf(jti, sub), (_i: Revocations, state) => state.storage.sql.exec('SELECT jti, expires_at FROM revoked').toArray())
    expect(row).toEqual([{ jti, expires_at: exp }])
    expect(await ask({ type: 'verify_token', token: access_token })).toMatchObject({ type: 'token_invalid', code: 'token_revoked' })
  })

  it("holds a subject's cut-off, sweeps expired jtis as new ones arrive, and wipes itself at the last expiry", async () => {
    const sub = `sweep-${crypto.randomUUID()}`
    const stub = revocationsOf(undefined, sub)
    const now = Math.floor(Date.now() / 1000)
    await runInDurableObject(stub, async (instance: Revocations) => {
      for (let i = 0; i < 10; i++) await instance.revokeToken(`old-${i}`, now + 1, now)
      await instance.revokeToken('live', now + 1000, now + 2)
      await instance.revokeSubject(now * 1000, now + 2000)
    })
    expect(await runInDurableObject(stub, (instance: Revocations) => instance.count())).toEqual({ revoked: 1, cutoffs: 1 })
    expect(await runInDurableObject(stub, (_i: Revocations, state) => state.storage.getAlarm())).toBe((now + 2000) * 1000)
    // Before the last expiry the alarm re-arms; after it, storage goes and the object starts afresh.
    await runDurableObjectAlarm(stub)
    expect(await runInDurableObject(stub, (instance: Revocations) => instance.count())).toEqual({ revoked: 1, cutoffs: 1 })
    await runInDurableObject(stub, (_i: Revocations, state) => {
      state.storage.sql.exec('UPDATE revoked SET expires_at = ?', now - 1)
      state.storage.sql.exec('UPDATE cutoff SET expires_at = ?', now - 1)
    })
    await runDurableObjectAlarm(stub)
    expect(await runInDurableObject(stub, (instance: Revocations) => instance.count())).toEqual({ revoked: 0, cutoffs: 0 })
    expect(await runInDurableObject(stub, (instance: Revocations) => instance.isRevoked({ jti: 'live', sub, iat: now }, now))).toBe(false)
  })

  it('brings a family object of v2 (no login instant) up to date on its first call: the login instant from its refresh token', async () => {
    const id = `legacy-${crypto.randomUUID()}`
    const stub = familyStub(id)
    const now = Math.floor(Date.now() / 1000)
    const issuedMs = now * 1000 + 321
    await runInDurableObject(stub, (_i: RefreshFamilies, state) => {
      state.storage.sql.exec(`CREATE TABLE family (id TEXT PRIMARY KEY, claims TEXT NOT NULL, generation INTEGER NOT NULL, revoked INTEGER NOT NULL,
        current_jti TEXT NOT NULL, current_iat INTEGER NOT NULL, expires_at INTEGER NOT NULL, rotated_at INTEGER NOT NULL)`)
      state.storage.sql.exec('INSERT INTO family VALUES (?, ?, 0, 0, ?, ?, ?, ?)', id, JSON.stringify({ sub: 'x' }), timedId(issuedMs), now, now + 600, now)
    })
    expect(await new DurableObjectStore(env).rotateFamily(id, rotation(0, now + 1200, now))).toEqual({ status: 'rotated', claims: { sub: 'x' }, authTimeMs: issuedMs })
  })
})
