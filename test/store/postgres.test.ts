// The store contract against a real PostgreSQL server: a throwaway cluster started for this file,
// two nodes' pools on one database, and the database opened again after a close. Then how a
// revocation reaches another node's view, each way on its own: NOTIFY, and the backstop read.
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openPostgresStore } from '../../src/node/store.ts'
import { startPostgres, type PostgresCluster } from '../support/postgres.ts'
import { storeContract } from './contract.ts'
import { expectMigrated, V1_FAMILIES, V1_POSTGRES, V1_REVOCATIONS } from './legacy.ts'

let cluster: PostgresCluster
beforeAll(async () => {
  cluster = await startPostgres()
  cluster.createDatabase('contract')
}, 60_000)
afterAll(() => cluster?.stop())

storeContract('postgres', async () => {
  const open = () => openPostgresStore(cluster.url('contract'), { pool: 10, waitMs: 5000 })
  return { store: await open(), second: await open(), reopen: open, strict: () => openPostgresStore(cluster.url('contract'), { pool: 4, waitMs: 5000, stalenessMs: 0 }) }
})

it('migrates a database of schema 1 (hallpass 0.1): login instants from the current refresh token, cut-offs by subject, escaped texts', async () => {
  cluster.createDatabase('legacy')
  const sql = postgres(cluster.url('legacy'), { max: 1, onnotice: () => undefined })
  for (const statement of V1_POSTGRES) await sql.unsafe(statement)
  for (const row of V1_FAMILIES) await sql.unsafe('INSERT INTO hallpass_family VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', row)
  for (const row of V1_REVOCATIONS) await sql.unsafe('INSERT INTO hallpass_revocation (jti, sub, cutoff_ms, expires_at) VALUES ($1, $2, $3, $4)', row)
  const store = await openPostgresStore(cluster.url('legacy'), { pool: 4, waitMs: 5000 })
  try {
    await expectMigrated(store)
  } finally {
    await store.close()
  }
  expect(await sql`SELECT version FROM hallpass_schema`).toEqual([{ version: 2 }])
  await sql.end()
})

describe("how a revocation reaches another node's view (no verify reads the database)", () => {
  /** An instant far ahead of any real clock: the rows stay live. */
  const T = 1_900_000_000
  /** Waits until `check` holds, for as long as it takes (the test's timeout guards against hanging). */
  async function until(check: () => boolean | Promise<boolean>): Promise<void> {
    while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 10))
  }

  it('by NOTIFY: a node that never reads the table again learns every revocation', async () => {
    cluster.createDatabase('notify')
    const revoker = await openPostgresStore(cluster.url('notify'), { pool: 2, waitMs: 5000 })
    // No backstop read for an hour: only a notification can tell this one.
    const listener = await openPostgresStore(cluster.url('notify'), { pool: 2, waitMs: 5000, pollMs: 3_600_000 })
    try {
      // The first one may still come through the read a fresh LISTEN makes; the next ones cannot.
      for (const jti of ['warm-up', 'first', 'second']) {
        await revoker.revokeToken(jti, 'sub-notify', T + 100, T)
        await until(() => listener.isRevoked({ jti, sub: 'sub-notify', iat: T }, T))
      }
      await revoker.revokeSubject('sub-notify', T * 1000 + 500, T + 100, T)
      await until(() => listener.isRevoked({ jti: 'other', sub: 'sub-notify', iat: T, authTime: T }, T))
      expect(await listener.isRevoked({ jti: 'other', sub: 'sub-notify', iat: T, authTime: T + 1 }, T)).toBe(false)
    } finally {
      await listener.close()
      await revoker.close()
    }
  })

  it('by the backstop read: a revocation whose notification was missed is read from the table', async () => {
    cluster.createDatabase('poll')
    const reader = await openPostgresStore(cluster.url('poll'), { pool: 2, waitMs: 5000, pollMs: 20 })
    // Written behind the stores' back: a row and no NOTIFY, as if the listening connection had been down.
    const sql = postgres(cluster.url('poll'), { max: 1, onnotice: () => undefined })
    try {
      await sql.unsafe('INSERT INTO hallpass_revocation (jti, sub, cutoff_ms, expires_at) VALUES ($1, $2, NULL, $3)', ['unannounced', 'sub-poll', T + 100])
      await until(() => reader.isRevoked({ jti: 'unannounced', sub: 'sub-poll', iat: T }, T))
      expect(await reader.isRevoked({ jti: 'other', sub: 'sub-poll', iat: T }, T)).toBe(false)
    } finally {
      await sql.end()
      await reader.close()
    }
  })
})
