// The store contract against a real PostgreSQL server: a throwaway cluster started for this file,
// two nodes' pools on one database, and the database opened again after a close.
import postgres from 'postgres'
import { afterAll, beforeAll, expect, it } from 'vitest'
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
  return { store: await open(), second: await open(), reopen: open }
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
