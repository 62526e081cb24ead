// The state behind the edge: refresh families in per-family Durable Objects (atomic rotation,
// exactly one winner, reuse kills the family), revocations in jti shards; the store keeps the
// MemoryStore's semantics.
import { env } from 'cloudflare:workers'
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { MemoryStore, type FamilyRecord, type RotateRequest, type RotateResult, type TokenStore } from '../../src/index.ts'
import { REVOCATION_SHARDS, revocationShard, type RefreshFamilies, type Revocations } from '../../worker/objects.ts'
import { DurableObjectStore } from '../../worker/store.ts'
import { issue, message } from './support.ts'

type Reply = Record<string, unknown>

function claimsOf(token: string): Record<string, unknown> {
  const part = token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')
  return JSON.parse(atob(part))
}

function familyStub(family: string) {
  return env.REFRESH_FAMILIES.get(env.REFRESH_FAMILIES.idFromName(family))
}

const ask = async (body: Reply) => (await (await message(body)).json()) as Reply


/** A family record created at `now` whose first refresh token expires at `exp`. */
function family(exp: number, now: number): FamilyRecord {
  return { claims: { sub: 'x' }, generation: 0, revoked: false, current: { jti: `first-${now}`, iat: now, exp }, rotatedAt: now }
}

/** A rotation request for `generation`, whose successor would expire at `exp`. */
function rotation(generation: number, exp: number, now: number, jti = `next-${now}`, reuseInterval = 0): RotateRequest {
  return { generation, next: { jti, iat: now, exp }, now, reuseInterval }
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
    expect(await runInDurableObject(stub, (instance: RefreshFamilies) => instance.inspect(id))).toEqual({ generation: 1, revoked: true, expiresAt: now + 1200 })
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
    expect(JSON.parse(dump)).toEqual([{ id: famA, claims: JSON.stringify({ sub: 'a', email: 'a@example.com' }), generation: 3, revoked: 0, current_jti: claimsOf(token as string).jti, current_iat: expect.any(Number), expires_at: expect.any(Number), rotated_at: expect.any(Number) }])
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

describe('DurableObjectStore keeps the MemoryStore semantics', () => {
  const record = (exp: number, now: number): FamilyRecord => ({ ...family(exp, now), claims: { sub: 'u', roles: ['r'] } })

  async function script(store: TokenStore, id: string): Promise<unknown[]> {
    const t = 1_900_000_000
    const out: unknown[] = []
    await store.createFamily(id, record(t + 100, t), t)
    out.push(await store.rotateFamily(id, rotation(0, t + 200, t + 1)))
    out.push(await store.rotateFamily(id, rotation(1, t + 300, t + 2)))
    out.push(await store.rotateFamily(id, rotation(5, t + 300, t + 3)))
    out.push(await store.rotateFamily(id, rotation(0, t + 300, t + 4)))
    out.push(await store.rotateFamily(id, rotation(2, t + 300, t + 5)))
    out.push(await store.revokeFamily(id, t + 6))
    out.push(await store.rotateFamily(`${id}-unknown`, rotation(0, t + 300, t + 7)))
    out.push(await store.revokeFamily(`${id}-unknown`, t + 8))
    await store.createFamily(`${id}-short`, record(t + 10, t), t)
    out.push(await store.rotateFamily(`${id}-short`, rotation(0, t + 20, t + 10)))
    out.push(await store.revokeFamily(`${id}-short`, t + 11))
    await store.createFamily(`${id}-revoked`, record(t + 100, t), t)
    out.push(await store.revokeFamily(`${id}-revoked`, t + 1))
    out.push(await store.rotateFamily(`${id}-revoked`, rotation(0, t + 200, t + 2)))
    // The reuse interval: the predecessor within it gets the successor; after it, or older, is reuse.
    await store.createFamily(`${id}-grace`, record(t + 100, t), t)
    out.push(await store.rotateFamily(`${id}-grace`, rotation(0, t + 200, t + 10, 'g1', 30)))
    out.push(await store.rotateFamily(`${id}-grace`, rotation(0, t + 200, t + 40, 'g1b', 30)))
    out.push(await store.rotateFamily(`${id}-grace`, rotation(1, t + 300, t + 41, 'g2', 30)))
    out.push(await store.rotateFamily(`${id}-grace`, rotation(0, t + 300, t + 42, 'g2b', 30)))
    out.push(await store.rotateFamily(`${id}-grace`, rotation(2, t + 300, t + 43, 'g3', 30)))
    await store.revokeToken(`${id}-jti`, t + 50, t)
    out.push(await store.isTokenRevoked(`${id}-jti`, t + 49), await store.isTokenRevoked(`${id}-jti`, t + 50), await store.isTokenRevoked(`${id}-other`, t))
    await store.revokeToken(`${id}-dead`, t - 1, t)
    out.push(await store.isTokenRevoked(`${id}-dead`, t - 5))
    return out
  }

  it('answers the same script the same way', async () => {
    const id = `script-${crypto.randomUUID()}`
    const expected = await script(new MemoryStore(), id)
    expect(await script(new DurableObjectStore(env), id)).toEqual(expected)
    const claims = { sub: 'u', roles: ['r'] }
    expect(expected.slice(0, 5)).toEqual([
      { status: 'rotated', claims },
      { status: 'rotated', claims },
      { status: 'revoked' },
      { status: 'reused' },
      { status: 'revoked' },
    ])
    expect(expected.slice(12, 17)).toEqual([
      { status: 'rotated', claims },
      { status: 'grace', claims, current: { jti: 'g1', iat: 1_900_000_010, exp: 1_900_000_200 } },
      { status: 'rotated', claims },
      { status: 'reused' },
      { status: 'revoked' },
    ])
  })
})

describe('revocations in jti shards', () => {
  it('spreads jti over a fixed set of shards', () => {
    const shards = new Set(Array.from({ length: 2000 }, (_, i) => revocationShard(`jti-${i}`)))
    expect(shards.size).toBe(REVOCATION_SHARDS)
    expect(revocationShard('abc')).toBe(revocationShard('abc'))
  })

  it('records a revoked access token in its shard until exp, and every verify consults it', async () => {
    const { access_token } = await issue()
    const { jti, exp } = claimsOf(access_token as string) as { jti: string; exp: number }
    expect(await ask({ type: 'verify_token', token: access_token })).toMatchObject({ type: 'token_valid' })
    expect(await ask({ type: 'revoke_token', token: access_token })).toMatchObject({ type: 'token_revoked', token_kind: 'access' })
    const shard = env.REVOCATIONS.get(env.REVOCATIONS.idFromName(revocationShard(jti)))
    const row = await runInDurableObject(shard, (_i: Revocations, state) => state.storage.sql.exec('SELECT jti, expires_at FROM revoked WHERE jti = ?', jti).toArray())
    expect(row).toEqual([{ jti, expires_at: exp }])
    expect(await ask({ type: 'verify_token', token: access_token })).toMatchObject({ type: 'token_invalid', code: 'token_revoked' })
  })

  it('sweeps expired entries as new revocations arrive', async () => {
    const shard = env.REVOCATIONS.get(env.REVOCATIONS.idFromName('sweep-test'))
    const now = Math.floor(Date.now() / 1000)
    await runInDurableObject(shard, (instance: Revocations) => {
      for (let i = 0; i < 10; i++) instance.revoke(`old-${i}`, now + 1, now)
      instance.revoke('live', now + 1000, now + 2)
    })
    expect(await runInDurableObject(shard, (instance: Revocations) => instance.count())).toBe(1)
  })
})
