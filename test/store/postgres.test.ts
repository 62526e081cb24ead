// The store contract against a real PostgreSQL server: a throwaway cluster started for this file,
// two nodes' pools on one database, and the database opened again after a close.
import { afterAll, beforeAll } from 'vitest'
import { openPostgresStore } from '../../src/node/store.ts'
import { startPostgres, type PostgresCluster } from '../support/postgres.ts'
import { storeContract } from './contract.ts'

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
