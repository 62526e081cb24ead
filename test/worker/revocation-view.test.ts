// Revocation at the edge without a round trip (PROTOCOL v3, HALLPASS_REVOCATION_STALENESS): two
// isolates' stores (each with its own view of the revocation feed) on one deployment's Durable
// Objects, inside workerd. The bound's edges on an injected clock, explored with fast-check; the
// steady state's updates counted; an outage; staleness 0 asking the subject's object every time.
import { env } from 'cloudflare:workers'
import { fc } from '@fast-check/vitest'
import { describe, expect, it, vi } from 'vitest'
import { timedId } from '../../src/internal.ts'
import { DurableObjectStore } from '../../worker/store.ts'

const BOUND = 1000

/** An isolate's store on a clock of the test's, its background updates collected to be awaited. */
function isolate(time: { now: number }, options: { stalenessMs?: number; replica?: number; log?: (message: string) => void; feed?: unknown; revocations?: unknown } = {}) {
  const pending: Array<Promise<unknown>> = []
  const bound = { ...env, ...(options.feed === undefined ? {} : { REVOCATION_FEED: options.feed }), ...(options.revocations === undefined ? {} : { REVOCATIONS: options.revocations }) } as typeof env
  const store = new DurableObjectStore(bound, { clock: () => time.now, stalenessMs: options.stalenessMs ?? BOUND, replica: options.replica ?? 0, ...(options.log === undefined ? {} : { log: options.log }) })
  store.keepAliveWith((work) => pending.push(work))
  return { store, settle: async () => void (await Promise.all(pending.splice(0))) }
}

const seconds = (time: { now: number }) => Math.floor(time.now / 1000)
/** A token of `sub` issued (and logged in) a minute before `time`. */
const tokenOf = (sub: string, time: { now: number }) => ({ jti: timedId(time.now - 60_000), sub, iat: seconds(time) - 60, authTime: (time.now - 60_000) / 1000 })

describe('revocation at the edge: a view of the feed within HALLPASS_REVOCATION_STALENESS', () => {
  it('refuses a revocation made through another isolate once the bound has passed, whatever the timing of verifies (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 1500 }), { minLength: 1, maxLength: 12 }), fc.nat({ max: 11 }), fc.integer({ min: 0, max: 3 }), async (steps, revokeAt, replica) => {
        const time = { now: Date.now() }
        const sub = `edge-${crypto.randomUUID()}`
        const a = isolate(time, { replica })
        const b = isolate(time, { replica: (replica + 1) % 4 })
        const token = tokenOf(sub, time)
        expect(await b.store.isRevoked(token, seconds(time))).toBe(false)
        let revokedAt: number | undefined
        for (const [i, step] of steps.entries()) {
          if (i === Math.min(revokeAt, steps.length - 1)) {
            await a.store.revokeSubject(sub, time.now + 1, seconds(time) + 3600, seconds(time))
            revokedAt = time.now
            // The isolate that revoked refuses at once.
            expect(await a.store.isRevoked(token, seconds(time))).toBe(true)
          }
          time.now += step
          const refused = await b.store.isRevoked(token, seconds(time))
          await b.settle()
          if (revokedAt !== undefined && time.now - revokedAt > BOUND) expect(refused, `${time.now - revokedAt} ms after the revocation`).toBe(true)
          if (revokedAt === undefined) expect(refused).toBe(false)
        }
      }),
      { numRuns: 40 },
    )
  }, 60_000)

  it('updates at most twice per bound whatever the rate of verifies, and not at all while fresh', async () => {
    const time = { now: Date.now() }
    const { store, settle } = isolate(time)
    const token = tokenOf(`steady-${crypto.randomUUID()}`, time)
    const reads = () => store.feed.reads
    await store.isRevoked(token, seconds(time))
    const first = store.view!.updates
    // 20 s of verifies, one every 10 ms: 2,000 verifies.
    for (let i = 0; i < 2000; i++) {
      time.now += 10
      await store.isRevoked(token, seconds(time))
      await settle()
    }
    const updates = store.view!.updates - first
    expect(updates).toBeLessThanOrEqual(2 * (20_000 / BOUND) + 1)
    expect(updates).toBeGreaterThanOrEqual(20_000 / BOUND - 1)
    // Each update reads one feed object, two around the turn of a minute.
    expect(reads()).toBeLessThanOrEqual(2 * (updates + 1) + 16)
  })

  it('goes on with the revocations it knows when the feed cannot be read, says so, and recovers by itself', async () => {
    const time = { now: Date.now() }
    const sub = `outage-${crypto.randomUUID()}`
    const token = tokenOf(sub, time)
    const other = tokenOf(`${sub}-other`, time)
    let down = false
    const feed = new Proxy(env.REVOCATION_FEED, {
      get(target, name) {
        if (name === 'get' && down) return () => ({ since: () => Promise.reject(new Error('feed unreachable')) })
        const value = Reflect.get(target, name, target) as unknown
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    const logs: string[] = []
    const b = isolate(time, { feed, log: (message) => logs.push(message) })
    const a = isolate(time)
    await b.store.isRevoked(token, seconds(time))
    await a.store.revokeSubject(sub, time.now + 1, seconds(time) + 3600, seconds(time))
    time.now += BOUND + 1
    expect(await b.store.isRevoked(token, seconds(time))).toBe(true)
    down = true
    const moreRevoked = tokenOf(`${sub}-later`, time)
    await a.store.revokeSubject(moreRevoked.sub, time.now + 1, seconds(time) + 3600, seconds(time))
    time.now += 3 * BOUND
    // Past the bound and the feed down: the known revocation still holds, the rest still verify.
    expect(await b.store.isRevoked(token, seconds(time))).toBe(true)
    expect(await b.store.isRevoked(other, seconds(time))).toBe(false)
    expect(logs.some((line) => /view of them is stale/.test(line))).toBe(true)
    down = false
    time.now += BOUND + 1
    expect(await b.store.isRevoked(moreRevoked, seconds(time))).toBe(true)
    expect(logs.some((line) => /revocations are current/.test(line))).toBe(true)
  })

  it('answers Store unavailable rather than guess when it never loaded a view', async () => {
    const time = { now: Date.now() }
    const feed = { idFromName: () => env.REVOCATION_FEED.idFromName('x'), get: () => ({ since: () => Promise.reject(new Error('feed unreachable')) }) }
    const { store } = isolate(time, { feed })
    await expect(store.isRevoked(tokenOf('never', time), seconds(time))).rejects.toMatchObject({ code: 'ERR_HALLPASS_STORE_UNAVAILABLE' })
  })

  it('asks the subject\'s object on every verify at HALLPASS_REVOCATION_STALENESS=0, and reads no feed', async () => {
    const time = { now: Date.now() }
    const asked = vi.fn()
    const revocations = new Proxy(env.REVOCATIONS, {
      get(target, name) {
        const value = Reflect.get(target, name, target) as unknown
        if (name === 'get') asked()
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    const { store } = isolate(time, { stalenessMs: 0, revocations })
    const sub = `strict-${crypto.randomUUID()}`
    const token = tokenOf(sub, time)
    for (let i = 0; i < 5; i++) expect(await store.isRevoked(token, seconds(time))).toBe(false)
    expect(asked).toHaveBeenCalledTimes(5)
    await isolate(time).store.revokeSubject(sub, time.now + 1, seconds(time) + 3600, seconds(time))
    expect(await store.isRevoked(token, seconds(time))).toBe(true)
    expect(store.view).toBeUndefined()
    expect(store.feed.reads).toBe(0)
  })
})
