// The store contract against a real SQLite file (node:sqlite): two connections to it, and the file
// opened again after a close.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'
import { openSqliteStore } from '../../src/node/store.ts'
import { storeContract } from './contract.ts'

const dir = mkdtempSync(join(tmpdir(), 'hallpass-sqlite-contract-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

storeContract('sqlite', async () => {
  const path = join(dir, 'store.db')
  const open = () => openSqliteStore(path, { waitMs: 5000 })
  return { store: await open(), second: await open(), reopen: open }
})
