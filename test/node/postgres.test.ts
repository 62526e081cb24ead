// HALLPASS_STORE=postgres://… with real node processes on a real PostgreSQL server (a throwaway
// cluster of this file's own): the durable-store promises with 2 and 4 nodes, the server stopped
// mid-stream and started again, a load of several nodes × clients, and the failures at start.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SECRET } from '../support/forge.ts'
import { startPostgres, type PostgresCluster } from '../support/postgres.ts'
import { startNode } from './process.ts'
import { Client, ownLines, storeProcessSuite } from './store-processes.ts'

let cluster: PostgresCluster
let databases = 0
/** A new, empty database on the cluster. */
function freshDatabase(): string {
  const name = `hallpass_${databases++}`
  cluster.createDatabase(name)
  return cluster.url(name)
}

beforeAll(async () => {
  cluster = await startPostgres()
}, 60_000)
afterAll(() => cluster?.stop())

const envFor = (url: string, extra: Record<string, string> = {}) => ({ HALLPASS_SECRET: SECRET, HALLPASS_STORE: url, ...extra })

storeProcessSuite('postgres', { fresh: async () => freshDatabase(), racers: [2, 4] })

/**
 * Polls `check` until it holds. The only limit guards against hanging (a check that never holds
 * fails with `what` rather than at the test's timeout); it is no speed claim: a busy machine may
 * take its time, and the suite asserts that things happen, not how fast.
 */
async function eventually(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const giveUp = Date.now() + 30_000
  for (;;) {
    if (await check()) return
    if (Date.now() > giveUp) throw new Error(`${what}: still not so 30 s later`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('the PostgreSQL store in real processes', () => {
  it('rides out a server restart: changes answer error 11, verify goes on with what it knows, then it recovers by itself', async () => {
    const url = freshDatabase()
    const a = new Client(envFor(url, { HALLPASS_STORE_WAIT: '2' }))
    const b = new Client(envFor(url, { HALLPASS_STORE_WAIT: '2' }))
    const kept = await a.issue('kept')
    const revoked = await a.issue('revoked')
    await a.ask({ type: 'revoke_token', token: revoked.access_token })
    await eventually(async () => (await b.verify(revoked.access_token)).code === 'token_revoked', 'the revocation reaching the other node')

    cluster.stopServer()
    try {
      // Answered while the server is down (it starts again only after): after HALLPASS_STORE_WAIT,
      // not whenever the server comes back.
      const during = await Promise.all([
        a.issue('during'),
        a.refresh(kept.refresh_token),
        a.ask({ type: 'revoke_token', token: kept.access_token }),
        b.ask({ type: 'revoke_subject', sub: 'kept' }),
      ])
      for (const reply of during) expect(reply).toMatchObject({ type: 'error', code: 11, text: 'Store unavailable' })
      // Verify needs no database: the known revocations still hold, the rest still verifies.
      expect(await b.verify(kept.access_token)).toMatchObject({ type: 'token_valid' })
      expect(await b.verify(revoked.access_token)).toMatchObject({ code: 'token_revoked' })
      await eventually(() => /view of them is stale/.test(b.node.stderr()), 'the node saying its view is stale')
      expect(a.node.stderr()).toMatch(/store unavailable: /)
    } finally {
      cluster.startServer()
    }
    // Nothing was changed by the refused messages, and the nodes come back without a restart.
    await eventually(async () => (await a.refresh(kept.refresh_token)).type === 'token_refreshed', 'a refresh going through after the restart')
    expect(await b.verify(kept.access_token)).toMatchObject({ type: 'token_valid' })
    await eventually(() => /revocations are current/.test(b.node.stderr()), 'the node saying its view is current again')
    const after = await b.issue('after')
    await b.ask({ type: 'revoke_token', token: after.access_token })
    await eventually(async () => (await a.verify(after.access_token)).code === 'token_revoked', 'a revocation after the restart reaching the other node')
    for (const text of [a.node.stderr(), b.node.stderr()]) {
      expect(text).not.toContain(SECRET)
      expect(text).not.toContain(kept.access_token as string)
    }
    expect(await a.stop()).toBe(0)
    expect(await b.stop()).toBe(0)
  }, 60_000)

  it('rides out a server that accepts and never answers: changes answer error 11, a retried refresh gets its successor, and all goes through once it answers again (v3)', async () => {
    const url = freshDatabase()
    const node = new Client(envFor(url, { HALLPASS_STORE_WAIT: '2' }))
    const families = await Promise.all(Array.from({ length: 60 }, (_, i) => node.issue(`frozen-${i}`)))
    const doubtful = await node.issue('doubtful')
    cluster.freeze()
    let retried: Record<string, unknown>
    try {
      // Each change answers, with error 11, however long the server stays silent.
      const during = await Promise.all([node.refresh(doubtful.refresh_token), node.issue('during')])
      for (const reply of during) expect(reply).toMatchObject({ type: 'error', code: 11, text: 'Store unavailable' })
      // Verify needs no database.
      expect(await node.verify(families[0]!.access_token)).toMatchObject({ type: 'token_valid' })
    } finally {
      cluster.thaw()
    }
    // The refresh answered with error 11 may have been committed when the server woke: a retry with
    // the same token gets the successor (or a fresh rotation), never reuse detection.
    for (;;) {
      retried = await node.refresh(doubtful.refresh_token)
      if (retried.type !== 'error') break
      expect(retried).toMatchObject({ code: 11 })
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(retried).toMatchObject({ type: 'token_refreshed' })
    expect(await node.verify(retried.access_token)).toMatchObject({ type: 'token_valid' })
    expect(await node.refresh(retried.refresh_token)).toMatchObject({ type: 'token_refreshed' })
    // Nothing is left waiting on a dead connection: 60 concurrent refreshes all go through.
    const replies = await Promise.all(families.map((tokens) => node.refresh(tokens.refresh_token)))
    expect(replies.filter((reply) => reply.type !== 'token_refreshed')).toEqual([])
    expect(await node.stop()).toBe(0)
  }, 60_000)

  it('answers every reply of 3 nodes × 4 clients refreshing their own families', async () => {
    const url = freshDatabase()
    const nodes = Array.from({ length: 3 }, () => new Client(envFor(url, { HALLPASS_STORE_POOL: '4' })))
    const CLIENTS = 4
    const FAMILIES = 25
    const ROUNDS = 4
    const clients = nodes.flatMap((node, n) =>
      Array.from({ length: CLIENTS }, async (_, c) => {
        const tokens = await Promise.all(Array.from({ length: FAMILIES }, (_, f) => node.issue(`n${n}c${c}f${f}`)))
        let current = tokens.map((t) => t.refresh_token)
        let answered = tokens.length
        for (let round = 0; round < ROUNDS; round++) {
          const replies = await Promise.all(current.map((token) => node.refresh(token)))
          answered += replies.length
          for (const reply of replies) expect(reply).toMatchObject({ type: 'token_refreshed' })
          current = replies.map((reply) => reply.refresh_token)
        }
        return answered
      }),
    )
    const answered = await Promise.all(clients)
    expect(answered.reduce((sum, n) => sum + n, 0)).toBe(3 * CLIENTS * FAMILIES * (1 + ROUNDS))
    for (const node of nodes) expect(await node.stop()).toBe(0)
  }, 60_000)
})

describe('a PostgreSQL store the node cannot use stops it at start with one line', () => {
  async function refusal(env: Record<string, string>): Promise<string> {
    const node = startNode({ HALLPASS_SECRET: SECRET, ...env })
    node.child.stdin.end()
    expect(await node.exited).not.toBe(0)
    expect(await node.remainingLines()).toEqual([])
    const lines = ownLines(node.stderr())
    expect(lines).toHaveLength(1)
    expect(node.stderr()).not.toContain('hunter2')
    return lines[0]!
  }

  it('gives up on an unreachable server after HALLPASS_STORE_WAIT, naming neither the password nor the URL', async () => {
    const start = performance.now()
    const line = await refusal({ HALLPASS_STORE: 'postgres://hallpass:hunter2@127.0.0.1:1/none', HALLPASS_STORE_WAIT: '1' })
    expect(line).toMatch(/^hallpass: cannot start: the PostgreSQL store cannot be reached or used \(waited 1 s/)
    // It did wait (a lower bound holds however busy the machine is; no upper bound is claimed).
    expect(performance.now() - start).toBeGreaterThanOrEqual(900)
  })

  it('refuses a database of a newer schema', async () => {
    const url = freshDatabase()
    const setup = new Client(envFor(url))
    await setup.stop()
    const { default: postgres } = await import('postgres')
    const sql = postgres(url, { onnotice: () => undefined })
    await sql`UPDATE hallpass_schema SET version = 99`
    await sql.end()
    expect(await refusal({ HALLPASS_STORE: url })).toMatch(/has schema 99, newer than this hallpass knows \(2\)/)
  })
})
