// The store contract against a real SQLite file (node:sqlite): two connections to it, and the file
// opened again after a close.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterAll, expect, it } from 'vitest'
import { openSqliteStore } from '../../src/node/store.ts'
import { storeContract } from './contract.ts'
import { expectMigrated, V1_FAMILIES, V1_REVOCATIONS, V1_SQLITE } from './legacy.ts'

const dir = mkdtempSync(join(tmpdir(), 'hallpass-sqlite-contract-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

storeContract('sqlite', async () => {
  const path = join(dir, 'store.db')
  const open = () => openSqliteStore(path, { waitMs: 5000 })
  return { store: await open(), second: await open(), reopen: open }
})

it('migrates a file of schema 1 (hallpass 0.1): login instants from the current refresh token, cut-offs by subject, escaped texts', async () => {
  const path = join(dir, 'v1.db')
  const old = new DatabaseSync(path)
  old.exec(V1_SQLITE)
  const family = old.prepare('INSERT INTO family VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
  for (const [id, claims, generation, revoked, jti, iat, exp, rotated] of V1_FAMILIES) family.run(id, claims, generation, revoked ? 1 : 0, jti, iat, exp, rotated)
  const revocation = old.prepare('INSERT INTO revocation (jti, sub, cutoff_ms, expires_at) VALUES (?, ?, ?, ?)')
  for (const row of V1_REVOCATIONS) revocation.run(...row)
  old.close()
  const store = await openSqliteStore(path, { waitMs: 2000 })
  try {
    await expectMigrated(store)
  } finally {
    store.close()
  }
  const reopened = new DatabaseSync(path, { readOnly: true })
  expect(reopened.prepare('PRAGMA user_version').get()).toEqual({ user_version: 2 })
  reopened.close()
})
